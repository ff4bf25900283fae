/**
 * Why pre-computed buckets can't be encoded, or undefined when they can. The tracker validates them too,
 * but records can reach an exporter by other routes (a custom pipeline, a replay), and one bad record
 * must not throw in the middle of a batch.
 */
export function bucketsProblem(b: unknown): string | undefined {
  if (b === null || typeof b !== 'object') return 'buckets must be an object';
  const { bucketLimits: limits, bucketCounts: counts } = b as Record<string, unknown>;
  if (!Array.isArray(limits) || !Array.isArray(counts)) return 'bucketLimits and bucketCounts must be arrays';
  if (limits.length !== counts.length || limits.length === 0)
    return `bucketLimits (${limits.length}) and bucketCounts (${counts.length}) must be non-empty and of equal length`;
  // A for loop, not every(): every() skips the holes of a sparse array.
  for (let i = 0; i < limits.length; i++) {
    if (typeof limits[i] !== 'number') return `bucketLimits[${i}] is not a number`;
    const c: unknown = counts[i];
    if (typeof c !== 'number' || !(c >= 0)) return `bucketCounts[${i}] is not a number ≥ 0`;
  }
  for (const k of ['min', 'max', 'count', 'sum', 'sumSquares'] as const)
    if (typeof (b as Record<string, unknown>)[k] !== 'number') return `buckets.${k} is not a number`;
  return undefined;
}
