/**
 * A bounded log-linear histogram (HDR-style): each power of two is split into SUB linear buckets, so a
 * recorded value lands in a bucket whose width is at most 1/SUB of its lower bound. Fixed memory whatever
 * the number of values; quantiles are exact to within that relative error (and clamped to min/max).
 * Values are non-negative numbers in any unit (the profiler uses nanoseconds).
 */
const SUB_BITS = 5;
const SUB = 1 << SUB_BITS; // 32 sub-buckets: ≤ 3.125 % bucket width, ≤ 1.6 % error at the midpoint
const MAX_EXP = 48; // 2^48 ns ≈ 78 hours; larger values share the last bucket
const BUCKETS = (MAX_EXP + 1) * SUB;
const TWO_32 = 4294967296;
const INV_POW = Float64Array.from({ length: MAX_EXP + 1 }, (_, e) => 2 ** -e);

/** Relative error bound of a quantile read from the histogram (half a bucket width). */
export const HISTOGRAM_RELATIVE_ERROR = 1 / (2 * SUB);

export class LogLinearHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;

  record(value: number): void {
    this.counts[bucketOf(value)]++;
    this.count++;
  }

  /** The q-quantile (0 ≤ q ≤ 1) as a bucket midpoint; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    const counts = this.counts;
    for (let i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) return midpointOf(i);
    }
    return midpointOf(BUCKETS - 1);
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
  }
}

/** Values below 1 share bucket 0's first exponent range [0, 2) linearly. */
export function bucketOf(value: number): number {
  if (!(value >= 1)) return 0; // also NaN and negatives
  let exp: number;
  if (value < TWO_32) exp = 31 - Math.clz32(value);
  else {
    const high = Math.floor(value / TWO_32);
    exp = high >= TWO_32 ? MAX_EXP + 1 : 63 - Math.clz32(high);
  }
  if (exp > MAX_EXP) return BUCKETS - 1;
  const sub = ((value * INV_POW[exp] - 1) * SUB) | 0;
  return exp * SUB + sub;
}

export function lowerBoundOf(bucket: number): number {
  const exp = (bucket / SUB) | 0;
  const sub = bucket % SUB;
  return 2 ** exp * (1 + sub / SUB);
}

export function midpointOf(bucket: number): number {
  const exp = (bucket / SUB) | 0;
  const sub = bucket % SUB;
  return 2 ** exp * (1 + (sub + 0.5) / SUB);
}
