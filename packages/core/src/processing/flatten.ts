/**
 * Nested metric objects are flattened the way W&B does: `{ train: { loss: 1 } }` is `train/loss`.
 * Only plain objects are descended into; anything else is a value (checked later). Depth is bounded, so a
 * cyclic object cannot loop: past it the object itself is the value (and rejected as not a number).
 */
const MAX_DEPTH = 8;

/** Scalars by name; a nested object's keys are joined with `/` (`{ train: { loss: 1 } }` = `train/loss`). */
export interface MetricValues {
  readonly [name: string]: number | MetricValues;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function forEachMetric(values: Readonly<Record<string, unknown>>, visit: (name: string, value: unknown) => void, prefix = '', depth = 0): void {
  for (const key in values) {
    const value = values[key];
    const name = prefix ? `${prefix}/${key}` : key;
    if (depth < MAX_DEPTH && isPlainObject(value)) forEachMetric(value, visit, name, depth + 1);
    else visit(name, value);
  }
}
