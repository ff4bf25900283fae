import { z } from 'zod';
import { InvalidConfigError } from '@metrics/core';
import { checkOptions, type OptionIssue } from '@metrics/core/backend';

/**
 * The facade's configuration: what the seeds configure (tracking switch, per-backend switches, TensorBoard
 * dir / flush / queue, W&B project / entity / tags, MLflow URI / experiment, logging interval, async and
 * selective logging), in camelCase, validated with zod. A bad value fails at creation naming the field
 * (an unknown one with the option it resembles). The backend fields are a thin mapping onto the backends'
 * own options (backends.ts): their defaults and environment variables belong to the backends.
 */
const positiveInt = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .positive(`${what} must be positive`);

export const experimentConfigSchema = z
  .object({
    /** Master switch: `false` logs nothing (calls still succeed). Default `true`; env `METRICS_TRACKING_ENABLED`. */
    experimentTrackingEnabled: z.boolean().default(true),
    /**
     * The experiment (TensorBoard directory, MLflow experiment, W&B project). Default: env `METRICS_EXPERIMENT`,
     * else a backend's own variable (`MLFLOW_EXPERIMENT_NAME`, `WANDB_PROJECT`), else the resumed run's, else `default`.
     */
    experiment: z.string().min(1, 'experiment must not be empty; name your experiment, e.g. "mnist-mlp"').optional(),
    /** The run's name. Default: env `METRICS_RUN_NAME` (or `WANDB_NAME`), else `run-<local timestamp>`. */
    runName: z.string().min(1, 'runName must not be empty; leave it out for a timestamped name').optional(),
    /** Group of related runs (W&B group, MLflow tag). Default: env `WANDB_RUN_GROUP`; with `rankGating: 'all'`, the run name. */
    group: z.string().min(1).optional(),
    /** Tags for the run in every backend (`key: ''` for a bare tag). Default `{}`. */
    tags: z.record(z.string(), z.string()).default({}),

    // Seed-shaped flat backend options: a thin mapping onto the backends' own options (see backends.ts).
    // undefined = on if its package is installed; true = required (error if missing); false = off.
    /** TensorBoard on/off. Default: on when `@metrics/tensorboard` is installed; `true` makes it required. */
    tensorboardLogging: z.boolean().optional(),
    /** TensorBoard root directory (`tensorboard({ logDir })`). Default `runs`; env `TENSORBOARD_LOGDIR`. */
    tensorboardLogDir: z.string().min(1, 'tensorboardLogDir must not be empty (default "runs")').optional(),
    /** Seconds between TensorBoard flushes (`tensorboard({ flushIntervalMs })`). Default 30. */
    tensorboardFlushSecs: z.number().positive('tensorboardFlushSecs must be positive (seconds between flushes, default 30)').optional(),
    /** Flush TensorBoard after this many batches (`tensorboard({ maxQueue })`). Default 10. */
    tensorboardMaxQueue: positiveInt('tensorboardMaxQueue').optional(),

    /** W&B on/off. Default: on when `@metrics/wandb` is installed; `true` makes it required. */
    wandbLogging: z.boolean().optional(),
    /** W&B project (`wandb({ project })`). Default: env `WANDB_PROJECT`, else the experiment. */
    wandbProject: z.string().min(1, 'wandbProject must not be empty').optional(),
    /** W&B entity (`wandb({ entity })`). Default: env `WANDB_ENTITY`, else the server's default. */
    wandbEntity: z.string().min(1).optional(),
    /** More W&B tags (`wandb({ extraTags })`). Default: env `WANDB_TAGS` (comma-separated). */
    wandbTags: z.array(z.string()).optional(),
    /** Root of offline W&B runs (`wandb({ dir })`). Default: env `WANDB_DIR`, else the current directory. */
    wandbDir: z.string().min(1).optional(),
    /** `online`, `offline` or `disabled` (`wandb({ mode })`). Default: env `WANDB_MODE`, else online with an API key. */
    wandbMode: z.enum(['online', 'offline', 'disabled'], { error: 'wandbMode must be "online", "offline" or "disabled"' }).optional(),

    /** MLflow on/off. Default: on when `@metrics/mlflow` is installed; `true` makes it required. */
    mlflowLogging: z.boolean().optional(),
    /** MLflow server (`mlflow({ trackingUri })`). Default: env `MLFLOW_TRACKING_URI`; without one, points go to the spool. */
    mlflowTrackingUri: z.string().url('mlflowTrackingUri must be a URL such as http://127.0.0.1:5000').optional(),
    /** MLflow experiment (`mlflow({ experimentName })`). Default: env `MLFLOW_EXPERIMENT_NAME`, else the experiment. */
    mlflowExperiment: z.string().min(1).optional(),
    /** Where MLflow points wait while the server is down (replay with `metrics-mlflow replay`). Default `mlflow-spool`. */
    mlflowSpoolDir: z.string().min(1).optional(),

    /** Log every N steps, aggregating in between (see `aggregation`); the seeds' default. Default 10. */
    experimentLoggingInterval: positiveInt('experimentLoggingInterval (log every N steps)').default(10),
    /** How values between logging intervals are combined. Default `mean`. */
    aggregation: z.enum(['mean', 'min', 'max', 'last', 'sum', 'ema']).default('mean'),
    /**
     * Always `true`: logging is asynchronous (a backend's I/O never runs inside `log()`); `false` is refused —
     * `await tracker.flush()` waits for delivery. Default `true`.
     */
    asynchronousLogging: z
      .literal(true, {
        error:
          'asynchronousLogging can only be true (or left out): logging is always asynchronous, so a slow backend never blocks training. ' +
          'To wait until everything logged so far is written, call `await tracker.flush()`',
      })
      .default(true),
    /** Log only metrics at or above `loggingPriority` (priorities from the standard-metrics registry); with `low` nothing is dropped. Default `true`. */
    selectiveLogging: z.boolean().default(true),
    /** The lowest priority logged with `selectiveLogging`. Default `low`. */
    loggingPriority: z.enum(['high', 'medium', 'low']).default('low'),

    /** A name or value that breaks the conventions: `strict` throws, `warn` skips (counted), `normalize` fixes. Default `warn`. */
    validation: z.enum(['strict', 'warn', 'normalize']).default('warn'),
    /** NaN/±Infinity values: `skip` (counted) or `keep` (the formats carry them). Default `skip`. */
    nonFinite: z.enum(['skip', 'keep'], { error: 'nonFinite must be "skip" (default) or "keep"' }).default('skip'),
    /** Profile every tracking call (`tracker.profiler`). Default `true`. */
    profiling: z.boolean().default(true),
    /** Warn when a tracking call takes longer than this, ms. Default 100. */
    slowTrackingThresholdMs: z.number().positive('slowTrackingThresholdMs must be positive').default(100),
    /** Log CPU/memory every this many ms (0 = off). Default 0. */
    systemMetricsIntervalMs: z.number().nonnegative('systemMetricsIntervalMs must be ≥ 0 (0 = off)').default(0),
    /** `main`: only rank 0 logs; `all`: every rank, with the rank in the run name and a shared group. Default `main`. */
    rankGating: z.enum(['main', 'all']).default('main'),
    /** This process's rank. Default: env `RANK`, else `LOCAL_RANK`. */
    rank: z.number().int().nonnegative().optional(),
    /** Bound on `close()` and exit-time flushing, ms. Default 10 000. */
    closeTimeoutMs: z.number().positive().default(10_000),
    /** Lowest level of the tracker's own messages. Default `info`. */
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  })
  .strict();

export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
export type ExperimentConfig = z.output<typeof experimentConfigSchema>;

const CONTEXT = 'experiment tracker configuration';

function envBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return !['0', 'false', 'no', 'off'].includes(v.trim().toLowerCase());
}

/**
 * Like the backends' SDKs, an empty variable (`WANDB_MODE=`) is unset. A blank one is kept, so a value
 * that must be valid (WANDB_MODE, MLFLOW_TRACKING_URI) fails at creation naming the variable.
 */
function envValue(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const v = env[key];
  return typeof v !== 'string' || v === '' ? undefined : v;
}

/** Options must be a plain object (or left out); anything else fails like any other bad configuration. */
export function assertOptionsObject(options: unknown): asserts options is Record<string, unknown> | undefined {
  if (options === undefined) return;
  const proto = typeof options === 'object' && options !== null && !Array.isArray(options) ? Object.getPrototypeOf(options) : undefined;
  if (proto === Object.prototype || proto === null) return;
  const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options === 'object' ? 'a class instance' : `a ${typeof options}`;
  throw new InvalidConfigError(
    [{ path: '(root)', message: `the options must be an object such as { experiment: "mnist" } (got ${got}); pass {} or leave them out for the defaults` }],
    CONTEXT,
  );
}

type EnvField = keyof ExperimentConfigInput;

/**
 * Each field the environment can set, with the variables read for it, first set wins. Only the facade's
 * own variables: each backend reads its own (`WANDB_*`, `MLFLOW_*`, …) through its descriptor.
 */
const ENV_SOURCES: readonly [EnvField, readonly string[]][] = [
  ['experiment', ['METRICS_EXPERIMENT']],
  ['runName', ['METRICS_RUN_NAME']],
  ['experimentTrackingEnabled', ['METRICS_TRACKING_ENABLED']],
];

function fromEnvValue(field: EnvField, raw: string): unknown {
  return field === 'experimentTrackingEnabled' ? envBool(raw) : raw;
}

export type ConfigCheck =
  | { ok: true; config: ExperimentConfig; issues: [] }
  | { ok: false; issues: OptionIssue[] /** The fields without an issue, as given. */; valid: Record<string, unknown> };

/** Fills unset fields from the facade's own environment variables, then validates; returns every issue. */
export function checkConfig(input: ExperimentConfigInput | undefined, env: NodeJS.ProcessEnv = process.env): ConfigCheck {
  assertOptionsObject(input);
  if (typeof env !== 'object' || env === null) {
    throw new InvalidConfigError([{ path: 'env', message: 'env must be an object of environment variables (default process.env)' }], CONTEXT);
  }
  const merged: Record<string, unknown> = {};
  /** Which variable a field came from, so an error names what the user actually set. */
  const envVarOf = new Map<string, string>();
  for (const [field, keys] of ENV_SOURCES) {
    const key = keys.find((k) => envValue(env, k) !== undefined);
    if (key === undefined) continue;
    merged[field] = fromEnvValue(field, envValue(env, key)!);
    envVarOf.set(field, key);
  }
  const rank = rankFromEnv(env);
  if (rank !== undefined) merged.rank = rank;
  for (const [k, v] of Object.entries(input ?? {})) {
    if (v === undefined) continue;
    merged[k] = v;
    envVarOf.delete(k);
  }
  const checked = checkOptions(experimentConfigSchema, merged, (path) => {
    const envVar = envVarOf.get(String(path[0]));
    return envVar ? `from the environment variable ${envVar}: fix or unset it` : undefined;
  });
  if (checked.ok) return { ok: true, config: checked.data, issues: [] };
  const bad = new Set(checked.issues.map((i) => i.path.split('.')[0]));
  return { ok: false, issues: checked.issues, valid: Object.fromEntries(Object.entries(merged).filter(([k]) => !bad.has(k))) };
}

/** Like `checkConfig`, throwing one `InvalidConfigError` that names every bad field and the fix. */
export function resolveConfig(input: ExperimentConfigInput | undefined, env: NodeJS.ProcessEnv = process.env): ExperimentConfig {
  const checked = checkConfig(input, env);
  if (checked.ok) return checked.config;
  throw new InvalidConfigError(checked.issues, CONTEXT);
}

export const CONFIG_CONTEXT = CONTEXT;

/** RANK (global) wins over LOCAL_RANK; undefined for a single-process job. */
export function rankFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  for (const key of ['RANK', 'LOCAL_RANK']) {
    const v = env[key];
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}
