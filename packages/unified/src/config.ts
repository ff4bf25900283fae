import { z } from 'zod';
import { parseConfig } from '@metrics/core';

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
    wandbMode: z.enum(['online', 'offline', 'disabled']).optional(),

    mlflowLogging: z.boolean().optional(),
    mlflowTrackingUri: z.string().url('mlflowTrackingUri must be a URL such as http://127.0.0.1:5000').optional(),
    mlflowExperiment: z.string().min(1).optional(),
    mlflowSpoolDir: z.string().min(1).default('mlflow-spool'),

    experimentLoggingInterval: positiveInt('experimentLoggingInterval (log every N steps)').default(1),
    aggregation: z.enum(['mean', 'min', 'max', 'last', 'sum', 'ema']).default('mean'),
    asynchronousLogging: z.boolean().default(true),
    selectiveLogging: z.boolean().default(false),
    loggingPriority: z.enum(['high', 'medium', 'low']).default('low'),

    validation: z.enum(['strict', 'warn', 'normalize']).default('warn'),
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

function envBool(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  return !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}

/** Fills unset fields from the environment (the variables each official SDK reads), then validates. */
export function resolveConfig(input: ExperimentConfigInput, env: NodeJS.ProcessEnv = process.env): ExperimentConfig {
  const fromEnv: Partial<ExperimentConfigInput> = {
    experiment: env.METRICS_EXPERIMENT ?? env.MLFLOW_EXPERIMENT_NAME ?? env.WANDB_PROJECT,
    runName: env.METRICS_RUN_NAME ?? env.WANDB_NAME,
    group: env.WANDB_RUN_GROUP,
    experimentTrackingEnabled: envBool(env.METRICS_TRACKING_ENABLED),
    tensorboardLogDir: env.TENSORBOARD_LOGDIR,
    wandbProject: env.WANDB_PROJECT,
    wandbEntity: env.WANDB_ENTITY,
    wandbTags: env.WANDB_TAGS ? env.WANDB_TAGS.split(',').map((t) => t.trim()).filter(Boolean) : undefined,
    wandbDir: env.WANDB_DIR,
    wandbMode: env.WANDB_MODE as ExperimentConfigInput['wandbMode'],
    mlflowTrackingUri: env.MLFLOW_TRACKING_URI,
    mlflowExperiment: env.MLFLOW_EXPERIMENT_NAME,
    rank: rankFromEnv(env),
  };
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fromEnv)) if (v !== undefined) merged[k] = v;
  for (const [k, v] of Object.entries(input ?? {})) if (v !== undefined) merged[k] = v;
  return parseConfig(experimentConfigSchema, merged, 'experiment tracker configuration');
}

/** RANK (global) wins over LOCAL_RANK; undefined for a single-process job. */
export function rankFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  for (const key of ['RANK', 'LOCAL_RANK']) {
    const v = env[key];
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}
