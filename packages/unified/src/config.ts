import { z } from 'zod';
import { InvalidConfigError, parseConfig } from '@metrics/core';

/**
 * The facade's configuration: what the seeds configure (tracking switch, per-backend switches, TensorBoard
 * dir / flush / queue, W&B project / entity / tags, MLflow URI / experiment, logging interval, async and
 * selective logging), in camelCase, validated with zod. A bad value fails at creation naming the field.
 * Unset values fall back to the environment variables each official SDK reads.
 */
const positiveInt = (what: string) => z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).positive(`${what} must be positive`);

export const experimentConfigSchema = z
  .object({
    experimentTrackingEnabled: z.boolean().default(true),
    experiment: z.string().min(1, 'experiment must not be empty; name your experiment, e.g. "mnist-mlp"').optional(),
    runName: z.string().min(1, 'runName must not be empty; leave it out for a timestamped name').optional(),
    group: z.string().min(1).optional(),
    tags: z.record(z.string(), z.string()).default({}),

    // undefined = on if its package is installed; true = required (error if missing); false = off.
    tensorboardLogging: z.boolean().optional(),
    tensorboardLogDir: z.string().min(1, 'tensorboardLogDir must be specified when tensorboardLogging is on (default "runs")').default('runs'),
    tensorboardFlushSecs: z.number().positive('tensorboardFlushSecs must be positive (seconds between flushes, default 30)').default(30),
    tensorboardMaxQueue: positiveInt('tensorboardMaxQueue').default(10),

    wandbLogging: z.boolean().optional(),
    wandbProject: z.string().min(1, 'wandbProject must be specified when wandbLogging is on').optional(),
    wandbEntity: z.string().min(1).optional(),
    wandbTags: z.array(z.string()).optional(),
    wandbDir: z.string().min(1).optional(),
    wandbMode: z.enum(['online', 'offline', 'disabled'], { error: 'wandbMode must be "online", "offline" or "disabled"' }).optional(),

    mlflowLogging: z.boolean().optional(),
    mlflowTrackingUri: z.string().url('mlflowTrackingUri must be a URL such as http://127.0.0.1:5000').optional(),
    mlflowExperiment: z.string().min(1).optional(),
    mlflowSpoolDir: z.string().min(1).default('mlflow-spool'),

    // The seeds' defaults: interval 10, selective logging on (with loggingPriority 'low' nothing is dropped).
    experimentLoggingInterval: positiveInt('experimentLoggingInterval (log every N steps)').default(10),
    aggregation: z.enum(['mean', 'min', 'max', 'last', 'sum', 'ema']).default('mean'),
    // Logging is always asynchronous (a backend's I/O never runs inside log()); `false` is refused
    // rather than pretending: `await tracker.flush()` is how to wait for delivery.
    asynchronousLogging: z
      .literal(true, {
        error:
          'asynchronousLogging can only be true (or left out): logging is always asynchronous, so a slow backend never blocks training. To wait until everything logged so far is written, call `await tracker.flush()`',
      })
      .default(true),
    selectiveLogging: z.boolean().default(true),
    loggingPriority: z.enum(['high', 'medium', 'low']).default('low'),

    validation: z.enum(['strict', 'warn', 'normalize']).default('warn'),
    nonFinite: z.enum(['skip', 'keep'], { error: 'nonFinite must be "skip" (default) or "keep"' }).default('skip'),
    profiling: z.boolean().default(true),
    slowTrackingThresholdMs: z.number().positive('slowTrackingThresholdMs must be positive').default(100),
    systemMetricsIntervalMs: z.number().nonnegative('systemMetricsIntervalMs must be ≥ 0 (0 = off)').default(0),
    rankGating: z.enum(['main', 'all']).default('main'),
    rank: z.number().int().nonnegative().optional(),
    closeTimeoutMs: z.number().positive().default(10_000),
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

/**
 * WANDB_MODE as the W&B package reads it: any case, `dryrun` = offline, `run` = online. Anything else is
 * kept as given, so validation rejects it (naming the variable).
 */
function wandbModeFromEnv(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === 'dryrun') return 'offline';
  if (v === 'run') return 'online';
  return v === 'online' || v === 'offline' || v === 'disabled' ? v : value;
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

/** Each field the environment can set, with the variables read for it, first set wins. */
const ENV_SOURCES: readonly [EnvField, readonly string[]][] = [
  ['experiment', ['METRICS_EXPERIMENT', 'MLFLOW_EXPERIMENT_NAME', 'WANDB_PROJECT']],
  ['runName', ['METRICS_RUN_NAME', 'WANDB_NAME']],
  ['group', ['WANDB_RUN_GROUP']],
  ['experimentTrackingEnabled', ['METRICS_TRACKING_ENABLED']],
  ['tensorboardLogDir', ['TENSORBOARD_LOGDIR']],
  ['wandbProject', ['WANDB_PROJECT']],
  ['wandbEntity', ['WANDB_ENTITY']],
  ['wandbTags', ['WANDB_TAGS']],
  ['wandbDir', ['WANDB_DIR']],
  ['wandbMode', ['WANDB_MODE']],
  ['mlflowTrackingUri', ['MLFLOW_TRACKING_URI']],
  ['mlflowExperiment', ['MLFLOW_EXPERIMENT_NAME']],
];

function fromEnvValue(field: EnvField, raw: string): unknown {
  switch (field) {
    case 'experimentTrackingEnabled':
      return envBool(raw);
    case 'wandbTags':
      return raw.split(',').map((t) => t.trim()).filter(Boolean);
    case 'wandbMode':
      return wandbModeFromEnv(raw);
    default:
      return raw;
  }
}

/** Fills unset fields from the environment (the variables each official SDK reads), then validates. */
export function resolveConfig(input: ExperimentConfigInput | undefined, env: NodeJS.ProcessEnv = process.env): ExperimentConfig {
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
  return parseConfig(experimentConfigSchema, merged, CONTEXT, (path) => {
    const envVar = envVarOf.get(String(path[0]));
    return envVar ? `from the environment variable ${envVar}: fix or unset it` : undefined;
  });
}

/** RANK (global) wins over LOCAL_RANK; undefined for a single-process job. */
export function rankFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  for (const key of ['RANK', 'LOCAL_RANK']) {
    const v = env[key];
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}
