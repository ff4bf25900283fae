export { createMlflowExporter, type MlflowExporterOptions, type MlflowNative, type RegisteredModelVersion } from './exporter.js';
export { createMlflowTracker, type MlflowTrackerOptions } from './tracker.js';
export { MlflowClient, MlflowApiError } from './client.js';
export { sanitizeMlflowKey, encodeMetricValue, packLogBatches, LIMITS } from './encode.js';
export { resolveMlflowSettings, type MlflowOptions } from './settings.js';
export { replaySpool, type ReplayResult } from './replay.js';
