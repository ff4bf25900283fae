import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '@metrics/core';
import { createFakeClock } from '@metrics/core/test';
import { createProfiler, PROFILE_CATEGORIES } from './index.js';

const cat = PROFILE_CATEGORIES.experimentTracking;

function setup(extra: Parameters<typeof createProfiler>[0] = {}) {
  const clock = createFakeClock(1000);
  const lines: string[] = [];
  const logger = createLogger({ sink: (_l, line) => lines.push(line) });
  const profiler = createProfiler({ now: clock.now, logger, ...extra });
  return { clock, lines, profiler };
}

describe('statistics', () => {
  it('counts, totals, min, max, mean and percentiles of a known workload', () => {
    const { clock, profiler } = setup({ slowThresholdMs: Infinity });
    for (let i = 1; i <= 100; i++) profiler.profileOperation('step', cat, () => clock.advance(i));
    const [op] = profiler.report().operations;
    expect(op).toMatchObject({ name: 'step', category: cat, count: 100, errors: 0, totalMs: 5050, minMs: 1, maxMs: 100 });
    expect(op.meanMs).toBeCloseTo(50.5);
    expect(op.selfMs).toBe(5050);
    expect(Math.abs(op.p50Ms - 50) / 50).toBeLessThan(0.035);
    expect(Math.abs(op.p95Ms - 95) / 95).toBeLessThan(0.035);
    expect(Math.abs(op.p99Ms - 99) / 99).toBeLessThan(0.035);
  });

  it('keeps one entry per (name, category)', () => {
    const { clock, profiler } = setup();
    profiler.profileOperation('save', 'a', () => clock.advance(1));
    profiler.profileOperation('save', 'b', () => clock.advance(2));
    profiler.profileOperation('save', 'a', () => clock.advance(3));
    const byCat = Object.fromEntries(profiler.report().operations.map((o) => [o.category, o.totalMs]));
    expect(byCat).toEqual({ a: 4, b: 2 });
  });

  it('returns the result of a sync fn without creating a promise', () => {
    const { profiler } = setup();
    const out = profiler.profileOperation('x', cat, () => 42);
    expect(out).toBe(42);
  });
});

describe('nesting and self time', () => {
  it('subtracts child time from the parent self time', () => {
    const { clock, profiler } = setup();
    profiler.profileOperation('parent', cat, () => {
      clock.advance(10);
      profiler.profileOperation('child', cat, () => {
        clock.advance(5);
        profiler.profileOperation('grandchild', cat, () => clock.advance(2));
      });
      clock.advance(3);
    });
    const ops = Object.fromEntries(profiler.report().operations.map((o) => [o.name, o]));
    expect(ops.parent.totalMs).toBe(20);
    expect(ops.parent.selfMs).toBe(13);
    expect(ops.child.totalMs).toBe(7);
    expect(ops.child.selfMs).toBe(5);
    expect(ops.grandchild.selfMs).toBe(2);
  });

  it('scopes nest with using', () => {
    const { clock, profiler } = setup();
    {
      using _outer = profiler.scope('outer', cat);
      clock.advance(4);
      {
        using _inner = profiler.scope('inner', cat);
        clock.advance(6);
      }
    }
    const ops = Object.fromEntries(profiler.report().operations.map((o) => [o.name, o]));
    expect(ops.outer).toMatchObject({ totalMs: 10, selfMs: 4, count: 1 });
    expect(ops.inner).toMatchObject({ totalMs: 6, selfMs: 6 });
  });

  it('attributes children across awaits to the async parent', async () => {
    const { clock, profiler } = setup();
    await profiler.profileOperation('load', cat, async () => {
      clock.advance(1);
      await new Promise((r) => setTimeout(r, 1));
      profiler.profileOperation('parse', cat, () => clock.advance(4));
      await profiler.profileOperation('fetch', cat, async () => {
        await Promise.resolve();
        clock.advance(5);
      });
    });
    const ops = Object.fromEntries(profiler.report().operations.map((o) => [o.name, o]));
    expect(ops.load).toMatchObject({ totalMs: 10, selfMs: 1 });
    expect(ops.parse.totalMs).toBe(4);
    expect(ops.fetch.totalMs).toBe(5);
  });

  it('keeps concurrent async operations apart', async () => {
    const { clock, profiler } = setup();
    const a = profiler.profileOperation('a', cat, async () => {
      await new Promise((r) => setTimeout(r, 5));
      profiler.profileOperation('a_child', cat, () => clock.advance(2));
    });
    const b = profiler.profileOperation('b', cat, async () => {
      await new Promise((r) => setTimeout(r, 1));
      profiler.profileOperation('b_child', cat, () => clock.advance(3));
    });
    await Promise.all([a, b]);
    const ops = Object.fromEntries(profiler.report().operations.map((o) => [o.name, o]));
    expect(ops.a.totalMs - ops.a.selfMs).toBe(2);
    expect(ops.b.totalMs - ops.b.selfMs).toBe(3);
  });
});

describe('errors and async', () => {
  it('passes a thrown error through untouched and counts it', () => {
    const { clock, profiler } = setup();
    const boom = new Error('boom');
    expect(() =>
      profiler.profileOperation('fail', cat, () => {
        clock.advance(3);
        throw boom;
      }),
    ).toThrow(boom);
    expect(profiler.report().operations[0]).toMatchObject({ count: 1, errors: 1, totalMs: 3 });
    // the stack is unwound: the next op has no parent
    profiler.profileOperation('next', cat, () => clock.advance(1));
    expect(profiler.report().operations.find((o) => o.name === 'fail')!.selfMs).toBe(3);
  });

  it('times an async fn until it settles and passes results and rejections through', async () => {
    const { clock, profiler } = setup();
    const value = await profiler.profileOperation('ok', cat, async () => {
      await Promise.resolve();
      clock.advance(7);
      return 'v';
    });
    expect(value).toBe('v');
    const err = new TypeError('nope');
    await expect(
      profiler.profileOperation('bad', cat, async () => {
        clock.advance(2);
        throw err;
      }),
    ).rejects.toBe(err);
    await expect(profiler.profileOperation('plain', cat, () => Promise.reject(err))).rejects.toBe(err);
    const ops = Object.fromEntries(profiler.report().operations.map((o) => [o.name, o]));
    expect(ops.ok).toMatchObject({ totalMs: 7, errors: 0 });
    expect(ops.bad).toMatchObject({ totalMs: 2, errors: 1 });
    expect(ops.plain.errors).toBe(1);
  });

  it('never lets a throwing logger break the profiled call', () => {
    const clock = createFakeClock();
    const logger = {
      ...createLogger(),
      warn: () => {
        throw new Error('logger down');
      },
    };
    const profiler = createProfiler({ now: clock.now, logger });
    expect(profiler.profileOperation('slow', cat, () => (clock.advance(500), 1))).toBe(1);
  });
});

describe('slow-operation warnings', () => {
  it('warns once per interval with the op name and time, counting held-back ones', () => {
    const { clock, lines, profiler } = setup({ slowThresholdMs: 100, slowWarningIntervalMs: 1000 });
    profiler.profileOperation('fast', cat, () => clock.advance(50));
    expect(lines).toEqual([]);
    profiler.profileOperation('upload', cat, () => clock.advance(150));
    profiler.profileOperation('upload', cat, () => clock.advance(200));
    profiler.profileOperation('upload', cat, () => clock.advance(120));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('⚠️');
    expect(lines[0]).toContain('upload');
    expect(lines[0]).toContain('150.0 ms');
    clock.advance(2000);
    profiler.profileOperation('upload', cat, () => clock.advance(300));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('2 more slow calls');
  });

  it("takes the most specific threshold: the operation's, then its category's, then the default", () => {
    const { clock, lines, profiler } = setup({
      slowThresholdMs: 10,
      slowThresholdMsByCategory: { [cat]: 100 },
      slowThresholdMsByOperation: { experiment_tracker_setup: Infinity, checkpoint: 1000 },
    });
    profiler.profileOperation('experiment_tracker_setup', cat, () => clock.advance(5000));
    profiler.profileOperation('checkpoint', PROFILE_CATEGORIES.memoryUsage, () => clock.advance(500));
    expect(lines).toEqual([]);
    profiler.profileOperation('checkpoint', PROFILE_CATEGORIES.memoryUsage, () => clock.advance(1500));
    profiler.profileOperation('upload', cat, () => clock.advance(150));
    profiler.profileOperation('load', PROFILE_CATEGORIES.memoryUsage, () => clock.advance(20));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/Slow operation checkpoint .* 1500\.0 ms \(threshold 1000 ms\)/);
    expect(lines[1]).toMatch(/Slow operation upload .* \(threshold 100 ms\)/);
    expect(lines[2]).toMatch(/Slow operation load .* \(threshold 10 ms\)/);
  });

  it('reads only entries of the threshold tables themselves (an operation named "constructor" gets the default)', () => {
    const { clock, lines, profiler } = setup({ slowThresholdMs: 10, slowThresholdMsByOperation: {} });
    profiler.profileOperation('constructor', cat, () => clock.advance(20));
    expect(lines).toHaveLength(1);
  });
});

describe('memory', () => {
  it('records memory deltas when asked', () => {
    const { profiler } = setup({ memory: true });
    let keep: unknown;
    profiler.profileOperation('alloc', PROFILE_CATEGORIES.memoryUsage, () => {
      keep = new Array(1_000_000).fill(1);
    });
    const op = profiler.report().operations[0];
    expect(op.memory?.samples).toBe(1);
    expect(op.memory!.meanHeapUsedBytes).toBeGreaterThan(1_000_000);
    expect(keep).toBeDefined();
    expect(profiler.toMetrics()['profiling/memory/alloc']).toBeGreaterThan(1);
  });

  it('takes no memory samples by default', () => {
    const { profiler } = setup();
    profiler.profileOperation('x', cat, () => 1);
    expect(profiler.report().operations[0].memory).toBeUndefined();
  });
});

describe('no-op mode', () => {
  it('just calls fn and records nothing', async () => {
    const profiler = createProfiler({ enabled: false });
    const fn = vi.fn(() => 5);
    expect(profiler.profileOperation('x', cat, fn)).toBe(5);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(await profiler.profileOperation('y', cat, async () => 6)).toBe(6);
    {
      using _s = profiler.scope('z', cat);
    }
    expect(profiler.operation('w', cat).run(() => 7)).toBe(7);
    expect(profiler.enabled).toBe(false);
    expect(profiler.report().operations).toEqual([]);
    expect(profiler.toMetrics()).toEqual({});
    const err = new Error('e');
    expect(() =>
      profiler.profileOperation('t', cat, () => {
        throw err;
      }),
    ).toThrow(err);
  });
});

describe('operation handles', () => {
  it('record into the same statistics as profileOperation', () => {
    const { clock, profiler } = setup();
    const op = profiler.operation('write', cat);
    op.run(() => clock.advance(2));
    profiler.profileOperation('write', cat, () => clock.advance(4));
    {
      using _s = op.scope();
      clock.advance(6);
    }
    expect(profiler.report().operations[0]).toMatchObject({ count: 3, totalMs: 12 });
  });

  it('reset forgets everything', () => {
    const { clock, profiler } = setup();
    profiler.profileOperation('a', cat, () => clock.advance(2));
    profiler.reset();
    expect(profiler.report().operations).toEqual([]);
  });
});
