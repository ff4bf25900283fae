/**
 * The metric name grammar: hierarchical, `/`-separated, lowercase segments of `[a-z0-9_]`, the first
 * segment a category (`training/loss`, `performance/gpu_memory_allocated_mb`, `profiling/timing/<op>`).
 * Every name it accepts is also a valid TensorBoard tag, W&B key and MLflow key.
 */
export const CATEGORIES = ['training', 'validation', 'evaluation', 'performance', 'profiling', 'usage', 'model', 'pipeline', 'system', 'custom'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface NameRules {
  /** Allowed first segments. */
  categories: readonly string[];
  /** Pattern for one segment. */
  segment: RegExp;
  maxLength: number;
  /** Minimum number of segments (2 = at least `category/name`). */
  minSegments: number;
}

export const DEFAULT_NAME_RULES: NameRules = Object.freeze({
  categories: CATEGORIES,
  segment: /^[a-z0-9][a-z0-9_]*$/,
  maxLength: 250,
  minSegments: 2,
});

/** Returns the broken rule for `name`, or undefined when it is valid. */
export function checkMetricName(name: string, rules: NameRules = DEFAULT_NAME_RULES): string | undefined {
  if (typeof name !== 'string') return 'a name must be a string';
  if (name.length === 0) return 'a name must not be empty';
  if (name.length > rules.maxLength) return `a name must be at most ${rules.maxLength} characters (has ${name.length})`;
  const segments = name.split('/');
  if (segments.length < rules.minSegments) return `a name must be hierarchical: "<category>/<name>" with a category of ${rules.categories.join(', ')}`;
  for (const segment of segments) {
    if (segment.length === 0) return 'a name must not have empty segments (leading, trailing or doubled "/")';
    if (segment.startsWith('_')) return `segment "${segment}" must not start with "_" (reserved by W&B)`;
    if (!rules.segment.test(segment)) return `segment "${segment}" must match ${rules.segment} (lowercase letters, digits, "_")`;
  }
  if (!rules.categories.includes(segments[0]!)) return `the first segment "${segments[0]}" must be a category: ${rules.categories.join(', ')}`;
  return undefined;
}

export function isValidMetricName(name: string, rules: NameRules = DEFAULT_NAME_RULES): boolean {
  return checkMetricName(name, rules) === undefined;
}

/**
 * Rewrites a name to the nearest valid one: lowercase, camelCase split, other characters to `_`,
 * empty segments dropped, and `custom/` in front when the first segment is not a category.
 * Returns undefined when nothing valid can be made (for example an empty string).
 */
export function normalizeMetricName(name: string, rules: NameRules = DEFAULT_NAME_RULES): string | undefined {
  if (typeof name !== 'string') return undefined;
  const segments = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[/\\.]+/)
    .map((s) =>
      s
        .replace(/[^a-z0-9_]+/g, '_')
        .replace(/_+/g, '_')
        .replace(/^_+|_+$/g, ''),
    )
    .filter((s) => s.length > 0);
  if (segments.length === 0) return undefined;
  if (!rules.categories.includes(segments[0]!)) segments.unshift(rules.categories.includes('custom') ? 'custom' : rules.categories[0]!);
  let out = segments.join('/');
  if (out.length > rules.maxLength) out = out.slice(0, rules.maxLength).replace(/\/+$/, '');
  return checkMetricName(out, rules) === undefined ? out : undefined;
}

export function categoryOf(name: string): string {
  const i = name.indexOf('/');
  return i < 0 ? name : name.slice(0, i);
}

/** `profiling/timing/<op>` etc. need op names as one valid segment. */
export function toSegment(text: string): string {
  const s = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s.length > 0 ? s : 'unnamed';
}

/**
 * The name an invalid metric is kept under in 'warn' mode: `custom/` + the name sanitized segment by
 * segment (camelCase split, lowercase, other characters to `_`, empty segments dropped; a leading `custom`
 * segment is not doubled). Unlike `normalizeMetricName` it never guesses a category, so a parked name
 * cannot land on a valid one. Undefined when nothing valid can be made or the rules have no `custom`.
 */
export function toCustomMetricName(name: string, rules: NameRules = DEFAULT_NAME_RULES): string | undefined {
  if (typeof name !== 'string' || !rules.categories.includes('custom')) return undefined;
  const segments = name
    .split(/[/\\.]+/)
    .map((s) =>
      s
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .toLowerCase()
        .replace(/[^a-z0-9_]+/g, '_')
        .replace(/_+/g, '_')
        .replace(/^_+|_+$/g, ''),
    )
    .filter((s) => s.length > 0);
  if (segments[0] === 'custom') segments.shift();
  if (segments.length === 0) return undefined;
  let out = ['custom', ...segments].join('/');
  if (out.length > rules.maxLength) out = out.slice(0, rules.maxLength).replace(/[/_]+$/, '');
  return checkMetricName(out, rules) === undefined ? out : undefined;
}
