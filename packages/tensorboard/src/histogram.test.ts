import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bucketValues } from './histogram.js';

describe('bucketValues (TensorFlow default buckets)', () => {
  it('puts each value in the bucket whose right edge is the first limit above it, with one empty bucket on the left', () => {
    const h = bucketValues([0, 0, 1, 1.05, -2, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(h).toMatchObject({ num: 5, min: -2, max: 1.05, nonFinite: 2 });
    expect(h.sum).toBeCloseTo(0.05, 12);
    expect(h.bucketCounts[0]).toBe(0);
    expect(h.bucketCounts.reduce((a, b) => a + b, 0)).toBe(5);
    // zeros: the bucket whose right edge is the first limit above 0 (1e-12)
    const zeroIdx = h.bucketLimits.findIndex((l) => l > 0);
    expect(h.bucketLimits[zeroIdx]).toBe(1e-12);
    expect(h.bucketCounts[zeroIdx]).toBe(2);
  });

  it('keeps counts, limits increasing, and every finite value inside its bucket (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (xs) => {
        const h = bucketValues(xs);
        expect(h.bucketLimits.length).toBe(h.bucketCounts.length);
        expect(h.bucketCounts.reduce((a, b) => a + b, 0)).toBe(xs.length);
        for (let i = 1; i < h.bucketLimits.length; i++) expect(h.bucketLimits[i]!).toBeGreaterThan(h.bucketLimits[i - 1]!);
        for (const x of xs) {
          const i = h.bucketLimits.findIndex((l) => l > x);
          expect(h.bucketCounts[i]!).toBeGreaterThan(0);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('returns no buckets for no finite values', () => {
    expect(bucketValues([Number.NaN])).toMatchObject({ num: 0, bucketLimits: [], nonFinite: 1 });
  });
});
