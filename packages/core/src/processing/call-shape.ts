import { InvalidCallError } from '../errors.js';

/**
 * Processor 1 of the chain: the call's shape. A wrong shape is a programming error (often a Python habit:
 * `log(values, 500)`, `log(values, step=…)` written as `{ stpe: 3 }`, `{ step: '7' }`), so it throws
 * InvalidCallError at once in every validation mode, naming the fix. Bad *data* (a negative step, a NaN)
 * is not a shape error: the validation policy decides about it later.
 */

export const LOG_OPTION_KEYS = ['step', 'wallTime'] as const;
export const IMAGE_OPTION_KEYS = ['step', 'wallTime', 'caption'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `the ${typeof value} ${String(value)}`;
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'class'} instance`;
  return `a ${typeof value}`;
}

/** Levenshtein distance, for "did you mean"; option names are short. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function suggestion(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestDistance) (best = k), (bestDistance = d);
  }
  // `global_step` is what the Python SDKs call it.
  if (/^(global_?step|iteration|iter|it)$/i.test(key) && known.includes('step')) return ' (did you mean `step`?)';
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean \`${best}\`?)` : '';
}

/**
 * Checks a log-style options argument: undefined or a plain object with only `known` keys; `step` and
 * `wallTime` numbers, `caption` a string.
 */
export function assertLogOptions(method: string, options: unknown, known: readonly string[] = LOG_OPTION_KEYS): void {
  if (options === undefined) return;
  if (typeof options === 'number')
    throw new InvalidCallError(method, `the step goes in the options: pass { step: ${options} } as the second argument (got the number ${options})`);
  if (!isPlainObject(options))
    throw new InvalidCallError(method, `the second argument must be an options object such as { step: 10 } (got ${describe(options)})`);
  for (const key in options) {
    if (!known.includes(key))
      throw new InvalidCallError(method, `unknown option \`${key}\`${suggestion(key, known)}; the options are ${known.map((k) => `\`${k}\``).join(', ')}`);
    const value = options[key];
    if (value === undefined) continue;
    if ((key === 'step' || key === 'wallTime') && typeof value !== 'number') {
      const expected = key === 'step' ? 'a non-negative integer' : 'milliseconds since the epoch (a number)';
      const fix = key === 'step' && typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? ` (pass { step: ${Number(value)} })` : '';
      throw new InvalidCallError(method, `\`${key}\` must be ${expected}; got ${describe(value)}${fix}`);
    }
    if (key === 'caption' && typeof value !== 'string') throw new InvalidCallError(method, `\`caption\` must be a string; got ${describe(value)}`);
  }
}

/** Checks the values argument of a scalar call: a plain object of `{ name: number }` (nested objects are flattened). */
export function assertMetricValues(method: string, values: unknown): asserts values is Record<string, unknown> {
  if (isPlainObject(values)) return;
  throw new InvalidCallError(method, `takes an object of { name: number }, e.g. { 'training/loss': 0.1 } (got ${describe(values)})`);
}

/** Checks a step given as a positional argument (e.g. `logTrainingMetrics(epoch, step, metrics)`). */
export function assertStepArgument(method: string, what: string, value: unknown): void {
  if (typeof value === 'number') return;
  throw new InvalidCallError(method, `\`${what}\` must be a non-negative integer; got ${describe(value)}`);
}

export const CHILD_OPTION_KEYS = ['tags', 'jobType'] as const;

/** Checks `child(name, options)`: a non-empty name, and options with only `tags` (string values) and `jobType`. */
export function assertChildCall(name: unknown, options: unknown): asserts name is string {
  const method = 'child(name, options)';
  if (typeof name !== 'string' || name.trim() === '')
    throw new InvalidCallError(method, `the child run needs a non-empty name such as \`fold-0\` (got ${describe(name)})`);
  if (options === undefined) return;
  if (!isPlainObject(options)) throw new InvalidCallError(method, `the options must be an object such as { jobType: 'fold' } (got ${describe(options)})`);
  for (const key in options) {
    if (!(CHILD_OPTION_KEYS as readonly string[]).includes(key))
      throw new InvalidCallError(
        method,
        `unknown option \`${key}\`${suggestion(key, CHILD_OPTION_KEYS)}; the options are ${CHILD_OPTION_KEYS.map((k) => `\`${k}\``).join(', ')}`,
      );
  }
  const { tags, jobType } = options;
  if (jobType !== undefined && (typeof jobType !== 'string' || jobType.trim() === ''))
    throw new InvalidCallError(method, `\`jobType\` must be a non-empty string such as 'fold'; got ${describe(jobType)}`);
  if (tags === undefined) return;
  if (!isPlainObject(tags)) throw new InvalidCallError(method, `\`tags\` must be an object of strings; got ${describe(tags)}`);
  for (const [key, value] of Object.entries(tags))
    if (typeof value !== 'string') throw new InvalidCallError(method, `tag \`${key}\` must be a string; got ${describe(value)}`);
}
