import { defineBackend } from '@metrics/core/backend';
import { createWandbExporter, type WandbExporterNative } from './exporter.js';
import { WANDB_ENV_VARS, wandbFromEnv, wandbOptionsSchema, type WandbOptions } from './settings.js';

const nonEmpty = (s: string | undefined) => (s && s.trim() !== '' ? s.trim() : undefined);

/**
 * The W&B backend: `exporters: [wandb({ project })]` in `@metrics/unified`. Reads the `WANDB_*` variables
 * wandb reads (`WANDB_MODE` with its aliases); `mode: 'disabled'` turns it off.
 */
export const wandb = defineBackend<Omit<WandbOptions, 'logger'>, WandbExporterNative>({
  name: 'wandb',
  package: '@metrics/wandb',
  optionsSchema: wandbOptionsSchema.omit({ logger: true }),
  fromEnv: wandbFromEnv,
  envVars: WANDB_ENV_VARS,
  runFromEnv: (env) => ({ experiment: nonEmpty(env.WANDB_PROJECT), runName: nonEmpty(env.WANDB_NAME), group: nonEmpty(env.WANDB_RUN_GROUP) }),
  enabled: (options) => options.mode !== 'disabled',
  create: (options, { logger, env }) => createWandbExporter({ env, ...options, logger }),
});
