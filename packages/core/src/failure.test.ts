import { describe, expect, it } from 'vitest';
import { ExportError } from './errors.js';
import { failure } from './failure.js';
import type { TrackingRecord } from './spec.js';

describe('failure(): one failed ExportResult, one retry default', () => {
  it('an ExportError decides itself (from its HTTP status) and carries Retry-After', () => {
    expect(failure(new ExportError('503', { statusCode: 503, retryAfterMs: 2_000 }))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 2_000 });
    expect(failure(new ExportError('400', { statusCode: 400 }))).toMatchObject({ ok: false, retryable: false });
  });

  it('a file-system error retrying cannot heal is final; any other error is retried', () => {
    expect(failure(Object.assign(new Error('denied'), { code: 'EACCES' })).retryable).toBe(false);
    expect(failure(Object.assign(new Error('busy'), { code: 'EMFILE' })).retryable).toBe(true);
    expect(failure(new TypeError('x is undefined')).retryable).toBe(true);
  });

  it('non-Error throws become Errors; the backend may override retryable and name the undelivered records', () => {
    const remaining: TrackingRecord[] = [{ kind: 'scalar', name: 'a', value: 1, step: 0, wallTime: 0 }];
    const f = failure('boom', { retryable: false, remaining });
    expect(f.error).toBeInstanceOf(Error);
    expect(f.error.message).toBe('boom');
    expect(f).toMatchObject({ retryable: false, remaining });
    expect('retryAfterMs' in failure(new Error('x'))).toBe(false);
  });
});
