const BARS = '▁▂▃▄▅▆▇█';

/**
 * A terminal sparkline of `values` in at most `width` characters. Longer series are averaged into
 * `width` buckets (non-finite values ignored); a bucket with no finite value is a space, so NaN and
 * ±Infinity show as gaps. A constant series is a flat line at mid height.
 */
export function sparkline(values: readonly number[], width = 60): string {
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`sparkline width must be a positive integer (got ${width})`);
  const cells = bucketMeans(values, Math.min(width, values.length));
  let min = Infinity;
  let max = -Infinity;
  for (const v of cells) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  let out = '';
  for (const v of cells) {
    if (!Number.isFinite(v)) out += ' ';
    else if (span === 0 || !Number.isFinite(span)) out += BARS[3];
    else out += BARS[Math.min(BARS.length - 1, Math.floor(((v - min) / span) * BARS.length))];
  }
  return out;
}

/** `count` means over equal slices of `values` (NaN for a slice without finite values). */
function bucketMeans(values: readonly number[], count: number): number[] {
  if (count === values.length) return [...values];
  const out: number[] = [];
  for (let b = 0; b < count; b++) {
    const from = Math.floor((b * values.length) / count);
    const to = Math.floor(((b + 1) * values.length) / count);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      if (Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    out.push(n > 0 ? sum / n : Number.NaN);
  }
  return out;
}
