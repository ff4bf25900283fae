/**
 * TensorBoard-compatible histogram bucketing: TensorFlow's default exponential bucket limits
 * (±1e-12·1.1^k up to 1e20, plus 0 and ±DBL_MAX), trimmed to the non-empty range plus one empty bucket
 * on the left, like tensorboardX's `make_histogram`. Non-finite values are left out and counted.
 */
import type { HistogramData } from './proto/messages.js';

const DEFAULT_LIMITS: Float64Array = (() => {
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  const neg = pos.map((v) => -v).reverse();
  return Float64Array.from([...neg, 0, ...pos, Number.MAX_VALUE]);
})();

/** Index of the bucket holding `v`: the first limit strictly greater than v (bucket i spans [limit[i-1], limit[i])). */
function bucketIndex(limits: Float64Array, v: number): number {
  let lo = 0;
  let hi = limits.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (limits[mid]! > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface BucketedHistogram extends HistogramData {
  bucketLimits: number[];
  bucketCounts: number[];
  /** NaN/±Infinity values left out. */
  nonFinite: number;
}

export function bucketValues(values: ArrayLike<number>): BucketedHistogram {
  const limits = DEFAULT_LIMITS;
  const counts = new Float64Array(limits.length);
  let min = Infinity;
  let max = -Infinity;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      nonFinite++;
      continue;
    }
    num++;
    sum += v;
    sumSquares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    counts[bucketIndex(limits, v)]!++;
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimits: [], bucketCounts: [], nonFinite };
  let first = 0;
  while (counts[first] === 0) first++;
  let last = counts.length - 1;
  while (counts[last] === 0) last--;
  const start = Math.max(0, first - 1);
  return {
    min,
    max,
    num,
    sum,
    sumSquares,
    bucketLimits: Array.from(limits.subarray(start, last + 1)),
    bucketCounts: Array.from(counts.subarray(start, last + 1)),
    nonFinite,
  };
}
