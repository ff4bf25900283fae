import { defineBackend } from '@metrics/core/backend';
import { createMlflowExporter, type MlflowNative } from './exporter.js';
import { MLFLOW_ENV_VARS, mlflowFromEnv, mlflowOptionsSchema, type MlflowBackendOptions } from './settings.js';

/**
 * The MLflow backend: `exporters: [mlflow({ trackingUri })]` in `@metrics/unified`. Reads the `MLFLOW_*`
 * variables the official client reads; spills to `./mlflow-spool` while the server is down or absent.
 */
export const mlflow = defineBackend<MlflowBackendOptions, MlflowNative>({
  name: 'mlflow',
  package: '@metrics/mlflow',
  optionsSchema: mlflowOptionsSchema,
  fromEnv: mlflowFromEnv,
  envVars: MLFLOW_ENV_VARS,
  runFromEnv: (env) => ({ experiment: env.MLFLOW_EXPERIMENT_NAME || undefined }),
  defaults: { fullQueue: 'spill', spillDir: 'mlflow-spool' },
  create: (options, { logger, env }) => createMlflowExporter({ env, ...options, logger }),
});
