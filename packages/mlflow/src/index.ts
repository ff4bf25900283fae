export { createMlflowExporter, type MlflowExporterOptions, type MlflowNative, type RegisteredModelVersion } from './exporter.js';
export { createMlflowTracker, type MlflowTrackerOptions } from './tracker.js';
export { MlflowClient, MlflowApiError } from './client.js';
export { sanitizeMlflowKey, encodeMetricValue, packLogBatches, LIMITS } from './encode.js';
export { resolveMlflowSettings, mlflowFromEnv, mlflowOptionsSchema, MLFLOW_ENV_VARS, type MlflowOptions, type MlflowBackendOptions } from './settings.js';
export { mlflow } from './backend.js';
export { replaySpool, type ReplayResult } from './replay.js';
export {
  ModelRegistry,
  type ModelRegistryOptions,
  type RegisterModelOptions,
  type SearchOptions,
  type SourceRun,
} from './registry/model-registry.js';
export type { ModelVersion, RegisteredModel } from './registry/wire.js';
export { MlflowRegistryError } from './registry/errors.js';
export { REGISTRY_METRICS, type RegistryMetricsSink } from './registry/usage-metrics.js';
export { datasetInput, DATASET_CONTEXT_TAG } from './datasets.js';
export { createMlflowReader, MlflowReader, type MlflowReaderOptions, type SearchRunsOptions, type MetricHistoryOptions, type MlflowRun } from './read/index.js';
export { selectMetrics, type MetricSelection, type MetricPoint, type RunSummary, type RunStatus, type RunReader } from '@metrics/core/backend';
