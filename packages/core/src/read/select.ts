import { categoryOf } from '../conventions/names.js';
import { globToRegExp } from '../helpers.js';

/** Which metrics of a run to keep: a name prefix (`validation/`), a glob (`training/*`), a category, or any of them together. */
export interface MetricSelection {
  prefix?: string;
  glob?: string;
  category?: string;
}

/**
 * The entries of `metrics` whose names match every given criterion; the same glob as `searchMetrics`
 * and the same category as `groupByCategory` (the first `/` segment).
 */
export function selectMetrics<T>(metrics: Readonly<Record<string, T>>, selection: MetricSelection): Record<string, T> {
  const re = selection.glob === undefined ? undefined : globToRegExp(selection.glob);
  const out: Record<string, T> = {};
  for (const name of Object.keys(metrics).sort()) {
    if (selection.prefix !== undefined && !name.startsWith(selection.prefix)) continue;
    if (selection.category !== undefined && categoryOf(name) !== selection.category) continue;
    if (re && !re.test(name)) continue;
    out[name] = metrics[name]!;
  }
  return out;
}
