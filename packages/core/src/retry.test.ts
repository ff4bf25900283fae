import { describe, expect, it } from 'vitest';
import { classifyError, parseRetryAfter, retryDelay, withRetry, DEFAULT_RETRY_POLICY } from './retry.js';
import { ExportError, isRetryableStatus } from './errors.js';

describe('retry policy', () => {
  it('grows exponentially with jitter, caps, and lets Retry-After win', () => {
    const p = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(1, p, undefined, () => 0)).toBe(50);
    expect(retryDelay(1, p, undefined, () => 0.999999)).toBeCloseTo(100, 0);
    expect(retryDelay(3, p, undefined, () => 0)).toBe(200);
    expect(retryDelay(10, p, undefined, () => 0)).toBe(500);
    expect(retryDelay(1, p, 3000, () => 0)).toBe(3000);
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('retries retryable errors and stops on the first non-retryable one', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new ExportError('busy', { statusCode: 503 });
        return 'done';
      },
      { sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('done');
    expect(waits).toHaveLength(2);
    await expect(withRetry(async () => Promise.reject(new ExportError('bad', { statusCode: 400 })), { sleep: async () => {} })).rejects.toThrow('bad');
    expect([408, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404].some(isRetryableStatus)).toBe(false);
  });
});

describe('classifyError on local file errors', () => {
  it('treats an unwritable path as final and a transient file error as retryable', () => {
    const fsError = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'ENAMETOOLONG']) expect(classifyError(fsError(code)).retryable, code).toBe(false);
    for (const code of ['EMFILE', 'ENOSPC', 'EBUSY']) expect(classifyError(fsError(code)).retryable, code).toBe(true);
    expect(classifyError(Object.assign(fsError('EACCES'), { isRetryable: true })).retryable).toBe(true); // an explicit marker wins
  });
});
