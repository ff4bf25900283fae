/**
 * `@metrics/core`: what users call — a tracker from exporters, its options, stats and close report, the
 * errors it throws, the naming conventions and metric helpers. What backend authors need (the exporter
 * spec, descriptors, the pipeline, spool, retry, HTTP, protobuf…) is `@metrics/core/backend`.
 */
export type {
  BackendCloseReport,
  ChildOptions,
  CloseReport,
  EncodedImage,
  ExporterStats,
  HyperparamValue,
  LogOptions,
  PipelineStats,
  RawImage,
  RunHandle,
  RunOutcome,
  SpecificationVersion,
  Tracker,
  TableCell,
  TableData,
  PrCurveData,
  ConfusionMatrixData,
  AudioData,
  DatasetData,
  DatasetColumn,
  ArtifactOptions,
} from './spec.js';
export { MetricsError, InvalidMetricNameError, InvalidMetricValueError, InvalidConfigError, InvalidCallError, ExportError } from './errors.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './logger.js';
export type { RetryPolicy } from './retry.js';
export * from './conventions/names.js';
export * from './conventions/registry.js';
export * from './conventions/legacy.js';
export * from './conventions/aliases.js';
export * from './helpers.js';
export { MAX_STEP, type ValidationPolicy, type NonFinitePolicy } from './validation.js';
export type { BatchOptions, FullQueuePolicy } from './pipeline.js';
export { createTracker, type TrackerOptions, type CoreTracker } from './tracker.js';
export { SKIP_REASONS, type SkipReason, type TrackerStats, type AggregationStats } from './processing/stats.js';
export { runTracked } from './run-tracked.js';
