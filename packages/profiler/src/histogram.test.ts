import { describe, expect, it } from 'vitest';
import { bucketOf, HISTOGRAM_RELATIVE_ERROR, LogLinearHistogram, lowerBoundOf } from './histogram.js';

describe('LogLinearHistogram', () => {
  it('puts every value in a bucket whose lower bound is within the relative width', () => {
    for (const v of [1, 1.5, 2, 3, 31, 32, 33, 1000, 123_456, 2 ** 31, 2 ** 32 + 5, 9.87e12]) {
      const lo = lowerBoundOf(bucketOf(v));
      expect(lo).toBeLessThanOrEqual(v);
      expect((v - lo) / lo).toBeLessThan(2 * HISTOGRAM_RELATIVE_ERROR);
    }
  });

  it('reads quantiles of a uniform workload within the error bound', () => {
    const h = new LogLinearHistogram();
    for (let i = 1; i <= 10_000; i++) h.record(i * 1000);
    for (const [q, exact] of [
      [0.5, 5_000_000],
      [0.95, 9_500_000],
      [0.99, 9_900_000],
    ] as const) {
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThanOrEqual(2 * HISTOGRAM_RELATIVE_ERROR);
    }
  });

  it('keeps fixed memory and is empty after reset', () => {
    const h = new LogLinearHistogram();
    const size = h.counts.length;
    for (let i = 0; i < 100_000; i++) h.record(Math.random() * 1e9);
    expect(h.counts.length).toBe(size);
    expect(h.count).toBe(100_000);
    h.reset();
    expect(Number.isNaN(h.quantile(0.5))).toBe(true);
  });

  it('clamps huge, zero and NaN values into the end buckets', () => {
    const h = new LogLinearHistogram();
    h.record(0);
    h.record(Number.NaN);
    h.record(1e30);
    expect(h.count).toBe(3);
    expect(bucketOf(1e30)).toBe(h.counts.length - 1);
  });
});
