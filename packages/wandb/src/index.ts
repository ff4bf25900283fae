export { createWandbExporter, createWandbTracker, type WandbExporterNative, type WandbTrackerOptions } from './exporter.js';
export { wandb } from './backend.js';
export {
  resolveSettings,
  wandbFromEnv,
  wandbModeFromEnv,
  wandbOptionsSchema,
  WANDB_ENV_VARS,
  type WandbOptions,
  type WandbMode,
  type WandbResume,
  type WandbConsole,
  type FileStreamOptions,
} from './settings.js';
export { readWandbFile, itemsToObject, parseJsonValue, type WandbRecord, type WandbFileContents } from './log/records.js';
export { readLogBytes, type ReadLogResult, type LogDamage, type LogRecordBytes } from './log/read-log.js';
export { RecordFramer } from './log/framer.js';
export { FILE_HEADER, BLOCK_SIZE, chunkChecksum } from './log/format.js';
export { safeSegment, safeRunId } from './paths.js';
export type { ConsoleCaptureStats } from './console/capture.js';
export { datasetArtifactRecord, type WandbDataset, type WandbArtifactRecord } from './artifacts/dataset.js';
export { DEFAULT_ARTIFACT_TYPE } from './artifacts/manifest.js';
export { createWandbReader, WandbReader, type WandbRun } from './read/runs.js';
export { selectMetrics, type MetricSelection, type MetricPoint, type RunSummary, type RunStatus, type RunReader } from '@metrics/core/backend';
