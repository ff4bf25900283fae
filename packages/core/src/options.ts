import { z } from 'zod';
import { didYouMeanHint } from './did-you-mean.js';
import { InvalidConfigError } from './errors.js';
import type { TrackerOptions } from './tracker.js';

/** One problem with one option: a dotted path and a message that names the fix. */
export interface OptionIssue {
  path: string;
  message: string;
}

export type OptionsCheck<T> = { ok: true; data: T } | { ok: false; issues: OptionIssue[] };

/** The object schema at `path` inside `schema` (through optional/default/nullable wrappers), if any. */
function objectAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodObject | undefined {
  let current: unknown = schema;
  for (let i = 0; ; i++) {
    // Unwrap optional / default / nullable / readonly.
    while (
      current &&
      typeof current === 'object' &&
      'unwrap' in current &&
      typeof (current as { unwrap: unknown }).unwrap === 'function' &&
      !(current instanceof z.ZodObject)
    ) {
      current = (current as { unwrap(): unknown }).unwrap();
    }
    if (!(current instanceof z.ZodObject)) return undefined;
    if (i === path.length) return current;
    current = current.shape[String(path[i])];
  }
}

/**
 * Validates options against a zod schema and turns zod's issues into ones a user can act on: an unknown
 * key says which known option it resembles (`logdir` → did you mean `logDir`?), a bad enum value which
 * allowed value (`strcit` → `strict`). `noteFor` adds to a message, e.g. the environment variable a bad
 * value came from.
 */
/** A note for an issue: appended in parentheses, or put around the message (`from the environment variable X: …`). */
export type IssueNote = string | { prefix?: string; suffix?: string } | undefined;

export function checkOptions<S extends z.ZodType>(schema: S, input: unknown, noteFor?: (path: readonly PropertyKey[]) => IssueNote): OptionsCheck<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const issues: OptionIssue[] = [];
  const add = (path: readonly PropertyKey[], message: string) => {
    const note = noteFor?.(path);
    const text =
      typeof note === 'string'
        ? `${message} (${note})`
        : note
          ? `${note.prefix ? `${note.prefix}: ` : ''}${message}${note.suffix ? ` (${note.suffix})` : ''}`
          : message;
    issues.push({ path: path.map(String).join('.'), message: text });
  };
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(objectAt(schema, issue.path)?.shape ?? {});
      for (const key of issue.keys) {
        const hint = didYouMeanHint(key, known);
        add([...issue.path, key], hint ? `unknown option${hint}` : `unknown option (the options are: ${known.join(', ')})`);
      }
    } else if (issue.code === 'invalid_value' && issue.values.every((v) => typeof v === 'string')) {
      const got = pathValue(input, issue.path);
      const hint = typeof got === 'string' ? didYouMeanHint(got, issue.values as string[]) : '';
      add(issue.path, `${issue.message}${hint}`);
    } else {
      add(issue.path, issue.message);
    }
  }
  return { ok: false, issues };
}

function pathValue(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/** Like `checkOptions`, but throws one `InvalidConfigError` listing every issue. */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  context: string,
  noteFor?: (path: readonly PropertyKey[]) => IssueNote,
): z.output<S> {
  const checked = checkOptions(schema, input, noteFor);
  if (checked.ok) return checked.data;
  throw new InvalidConfigError(checked.issues, context);
}

/** Options must be a plain object or left out; anything else is named for what it is. */
export function plainObjectProblem(options: unknown): string | undefined {
  if (options === undefined) return undefined;
  const proto = typeof options === 'object' && options !== null && !Array.isArray(options) ? Object.getPrototypeOf(options) : undefined;
  if (proto === Object.prototype || proto === null) return undefined;
  const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options === 'object' ? 'a class instance' : `a ${typeof options}`;
  return `the options must be an object (got ${got}); pass {} or leave them out for the defaults`;
}

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { error: `${what} must be a function` });
const objectOf = <T>(what: string) => z.custom<T>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { error: `${what} must be an object` });
const positive = (what: string) => z.number({ error: `${what} must be a number` }).positive(`${what} must be positive`);
const positiveInt = (what: string) => positive(what).int(`${what} must be a whole number`);

/** A logger: any object with the `Logger` methods. */
export const loggerSchema = z.custom<NonNullable<TrackerOptions['logger']>>(
  (v) => typeof v === 'object' && v !== null && ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { error: 'logger must be a Logger (createLogger() from @metrics/core), with debug/info/warn/error methods' },
);

export const retryPolicySchema = z.strictObject({
  initialDelayMs: positive('retry.initialDelayMs').optional(),
  maxDelayMs: positive('retry.maxDelayMs').optional(),
  multiplier: z.number().min(1, 'retry.multiplier must be ≥ 1').optional(),
  deadlineMs: positive('retry.deadlineMs').optional(),
  maxAttempts: positiveInt('retry.maxAttempts').optional(),
});

const fullQueuePolicy = z.enum(['drop', 'spill'], { error: 'fullQueue must be "drop" or "spill"' });

/**
 * The options every tracker factory takes (core's `TrackerOptions` without `exporters`), as a strict zod
 * object: backends extend it with their own options, so `createTensorBoardTracker({ logdir })` fails.
 */
export const trackerOptionsSchema = z.strictObject({
  // Any string: names are made safe (one path segment, escaped) by each backend, never rejected.
  experiment: z.string({ error: 'experiment must be a string' }).optional(),
  runName: z.string({ error: 'runName must be a string; leave it out for a timestamped name' }).optional(),
  group: z.string({ error: 'group must be a string' }).optional(),
  rank: z.number({ error: 'rank must be a whole number ≥ 0' }).int('rank must be a whole number ≥ 0').nonnegative('rank must be a whole number ≥ 0').optional(),
  tags: z.record(z.string(), z.string({ error: 'tags values must be strings' })).optional(),
  validation: z.enum(['strict', 'warn', 'normalize'], { error: 'validation must be "strict", "warn" or "normalize"' }).optional(),
  nonFinite: z.enum(['keep', 'skip'], { error: 'nonFinite must be "keep" or "skip"' }).optional(),
  nameRules: objectOf<NonNullable<TrackerOptions['nameRules']>>('nameRules').optional(),
  migrateLegacyNames: z.union([z.boolean(), z.record(z.string(), z.string())]).optional(),
  prefixAliases: z
    .union([z.boolean(), z.record(z.string(), z.string())], { error: 'prefixAliases must be true/false or an object of prefix → prefix' })
    .optional(),
  loggingPriority: z.enum(['high', 'medium', 'low'], { error: 'loggingPriority must be "high", "medium" or "low"' }).optional(),
  registry: objectOf<NonNullable<TrackerOptions['registry']>>('registry (a MetricRegistry)').optional(),
  loggingInterval: positiveInt('loggingInterval (one value per metric per N steps)').optional(),
  aggregation: z.enum(['mean', 'min', 'max', 'last', 'sum', 'ema'], { error: 'aggregation must be "mean", "min", "max", "last", "sum" or "ema"' }).optional(),
  batch: z
    .strictObject({
      maxBatchSize: positiveInt('batch.maxBatchSize').optional(),
      scheduledDelayMs: z.number().nonnegative('batch.scheduledDelayMs must be ≥ 0').optional(),
      maxQueueSize: positiveInt('batch.maxQueueSize').optional(),
      exportTimeoutMs: positive('batch.exportTimeoutMs').optional(),
    })
    .optional(),
  retry: retryPolicySchema.optional(),
  fullQueue: z.union([fullQueuePolicy, z.record(z.string(), fullQueuePolicy)]).optional(),
  spillDir: z.string().min(1, 'spillDir must not be empty').optional(),
  logger: loggerSchema.optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'logLevel must be "debug", "info", "warn", "error" or "silent"' }).optional(),
  handleExit: z.boolean().optional(),
  closeTimeoutMs: positive('closeTimeoutMs').optional(),
  resume: objectOf<NonNullable<TrackerOptions['resume']>>('resume (a run handle from runHandle())').optional(),
});

export const optionSchemas = { fn, objectOf, positive, positiveInt };

/** The entries of `options` that `schema` (an object schema) declares: a tracker's options minus the pipeline's. */
export function pickOptions<T extends object>(schema: z.ZodObject, options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => key in schema.shape)) as Partial<T>;
}

// Every core tracker option has a schema entry, so a new one is not rejected as unknown by the factories
// (this fails to compile, naming the missing keys, until it is added above).
type MissingTrackerKeys = Exclude<Exclude<keyof TrackerOptions, 'exporters'>, keyof z.input<typeof trackerOptionsSchema>>;
const coversTrackerOptions: [MissingTrackerKeys] extends [never] ? true : MissingTrackerKeys = true;
void coversTrackerOptions;
