import { describe, expect, it } from 'vitest';
import { toJsonSafe } from './json-safe.js';

describe('toJsonSafe', () => {
  it('keeps plain data, marks cycles, stringifies BigInt, drops functions and survives throwing getters', () => {
    const config: Record<string, unknown> = { lr: 0.1, layers: [64, 32], seed: 7n, fn: () => 1, when: new Date(0), nan: Number.NaN };
    config.self = config;
    Object.defineProperty(config, 'bad', {
      enumerable: true,
      get: () => {
        throw new Error('no');
      },
    });
    expect(toJsonSafe(config)).toEqual({
      lr: 0.1,
      layers: [64, 32],
      seed: '7',
      when: '1970-01-01T00:00:00.000Z',
      nan: Number.NaN,
      self: '[Circular]',
      bad: '[unreadable]',
    });
  });

  it('bounds depth and size: deep chains and exponential sharing stay small', () => {
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 20_000; i++) deep = deep.next = {} as Record<string, unknown>;
    expect(JSON.stringify(toJsonSafe(top)).length).toBeLessThan(2000);
    // Each level refers to the next twice: 2^40 paths without a node budget.
    let shared: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) shared = { a: shared, b: shared };
    expect(JSON.stringify(toJsonSafe(shared, { maxNodes: 1000 })).length).toBeLessThan(100_000);
  });
});
