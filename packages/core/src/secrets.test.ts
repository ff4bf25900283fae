import { afterEach, describe, expect, it } from 'vitest';
import { scrubSecrets, withoutUrlCredentials } from './secrets.js';

const savedKey = process.env.WANDB_API_KEY;
afterEach(() => {
  if (savedKey === undefined) delete process.env.WANDB_API_KEY;
  else process.env.WANDB_API_KEY = savedKey;
});

describe('scrubSecrets', () => {
  it('masks secret-looking keys and known credential values at any depth, leaving other data alone', () => {
    process.env.WANDB_API_KEY = 'k'.repeat(40);
    const input = { lr: 0.1, apiKey: 'x', nested: { db_password: 'y', note: `key ${'k'.repeat(40)}`, list: [1, 'two', { token: 3 }] } };
    const out = scrubSecrets(input);
    expect(out).toEqual({
      lr: 0.1,
      apiKey: '***',
      nested: { db_password: '***', note: expect.not.stringContaining('k'.repeat(40)), list: [1, 'two', { token: '***' }] },
    });
    expect(input.apiKey).toBe('x'); // a copy: the caller's object is untouched
  });

  it('marks cycles and keeps shared (non-cyclic) values', () => {
    const shared = { x: 1 };
    const config: Record<string, unknown> = { a: shared, b: shared, list: [] as unknown[] };
    config.self1 = config;
    config.self2 = config;
    (config.list as unknown[]).push(config);
    expect(scrubSecrets(config)).toEqual({ a: { x: 1 }, b: { x: 1 }, list: ['[Circular]'], self1: '[Circular]', self2: '[Circular]' });
  });

  it('bounds exponential sharing and huge arrays by a node budget', () => {
    let shared: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) shared = { a: shared, b: shared }; // 2^40 paths without a budget
    const text = JSON.stringify(scrubSecrets(shared));
    expect(text.length).toBeLessThan(200_000);
    expect(text).toContain('[truncated]');
    const big = scrubSecrets(new Array(1_000_000).fill(1));
    expect(big.length).toBeLessThanOrEqual(10_001);
    expect(big.at(-1)).toBe('[truncated]');
  });

  it('truncates below the depth cap instead of returning the unscrubbed original', () => {
    let deep: Record<string, unknown> = { password: 'hunter2' };
    for (let i = 0; i < 100; i++) deep = { next: deep };
    const text = JSON.stringify(scrubSecrets(deep));
    expect(text).not.toContain('hunter2');
    expect(text).toContain('[truncated]');
  });

  it('masks whole secret words, not settings that merely contain one', () => {
    const out = scrubSecrets({
      WANDB_API_KEY: 'a',
      hfToken: 'b',
      'client-secret': 'c',
      aws_secret_access_key: 'd',
      max_tokens: 4096,
      tokenizer: 'gpt2',
      num_keys: 3,
    });
    expect(out).toEqual({
      WANDB_API_KEY: '***',
      hfToken: '***',
      'client-secret': '***',
      aws_secret_access_key: '***',
      max_tokens: 4096,
      tokenizer: 'gpt2',
      num_keys: 3,
    });
  });

  it('survives a throwing getter', () => {
    const config = { ok: 1 };
    Object.defineProperty(config, 'bad', {
      enumerable: true,
      get: () => {
        throw new Error('no');
      },
    });
    expect(scrubSecrets(config)).toEqual({ ok: 1, bad: '[unreadable]' });
  });
});

describe('withoutUrlCredentials', () => {
  it('drops or masks the user:password of a URI, and leaves every other URI as it is', () => {
    expect(withoutUrlCredentials('https://user:pa%40ss@host:5000/x')).toBe('https://host:5000/x');
    expect(withoutUrlCredentials('https://user:pass@host', '***')).toBe('https://***@host');
    expect(withoutUrlCredentials('//user:secret@host', '***')).toBe('//***@host');
    for (const uri of ['s3://bucket/data@v1.csv', 'file:///a@b', '/data/iris.csv', 'http://127.0.0.1:5000']) expect(withoutUrlCredentials(uri)).toBe(uri);
  });
});
