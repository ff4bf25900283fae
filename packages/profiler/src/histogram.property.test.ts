import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '@metrics/core/test';
import { createProfiler } from './index.js';
import { HISTOGRAM_RELATIVE_ERROR } from './histogram.js';

/** The exact nearest-rank quantile. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

describe('percentiles (property)', () => {
  it('p50/p95/p99 stay within the histogram error bound of the exact nearest-rank value', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (durations) => {
        const clock = createFakeClock();
        const profiler = createProfiler({ now: clock.now, slowThresholdMs: Infinity });
        for (const d of durations) profiler.profileOperation('op', 'c', () => clock.advance(d));
        const op = profiler.report().operations[0];
        // the fake clock adds in floating point, so compare against the recorded differences
        const sorted = [...durations].sort((a, b) => a - b);
        for (const [q, got] of [
          [0.5, op.p50Ms],
          [0.95, op.p95Ms],
          [0.99, op.p99Ms],
        ] as const) {
          const exact = exactQuantile(sorted, q);
          expect(Math.abs(got - exact)).toBeLessThanOrEqual(exact * 2 * HISTOGRAM_RELATIVE_ERROR + 1e-6);
        }
        expect(op.count).toBe(durations.length);
        expect(op.maxMs).toBeCloseTo(sorted[sorted.length - 1], 6);
      }),
      { numRuns: 200 },
    );
  });
});
