export * from './spec.js';
export * from './errors.js';
export { failure, type ExportFailure } from './failure.js';
export { createLogger, redact, withSecrets, MARK, type Logger, type LoggerOptions, type LogLevel } from './logger.js';
export { DEFAULT_RETRY_POLICY, retryDelay, parseRetryAfter, withRetry, delay, classifyError, type RetryPolicy, type RetryableFailure } from './retry.js';
export * from './conventions/names.js';
export * from './conventions/registry.js';
export * from './conventions/legacy.js';
export * from './conventions/aliases.js';
export * from './helpers.js';
export {
  parseConfig,
  createNameResolver,
  checkValue,
  checkStep,
  MAX_STEP,
  type ValidationPolicy,
  type NonFinitePolicy,
  type NameResolver,
} from './validation.js';
export { Pipeline, DEFAULT_BATCH_OPTIONS, type BatchOptions, type FullQueuePolicy, type PipelineOptions } from './pipeline.js';
export { openSpool, readSpool, encodeSpoolLine, decodeSpoolLine, type SpoolHeader } from './spool.js';
export { spoolFileName, listSpools, parseSpoolFileName, type SpoolFileEntry } from './spool-files.js';
export { replaySpool, type ReplaySpoolOptions, type SpoolReplayResult } from './spool-replay.js';
export { createTracker, type TrackerOptions, type CoreTracker } from './tracker.js';
export { assertLogOptions, assertMetricValues, assertStepArgument, LOG_OPTION_KEYS, IMAGE_OPTION_KEYS } from './processing/call-shape.js';
export { forEachMetric, type MetricValues } from './processing/flatten.js';
export { IntervalAggregator, type ScalarOut } from './processing/interval.js';
export { StepClock } from './processing/step-clock.js';
export { SKIP_REASONS, type SkipReason, type TrackerStats, type AggregationStats } from './processing/stats.js';
export { registerForExit, unregisterForExit } from './exit.js';
export { runTracked } from './run-tracked.js';
export { shellQuote } from './shell.js';
export { scrubSecrets, redactKnown, isSecretKey } from './secrets.js';
export { encodePng, imageFile, crc32 } from './media/png.js';
export { toJsonSafe } from './json-safe.js';
export { bucketsProblem } from './histogram-buckets.js';
export { didYouMean, didYouMeanHint } from './did-you-mean.js';
export {
  checkOptions,
  parseOptions,
  pickOptions,
  plainObjectProblem,
  trackerOptionsSchema,
  retryPolicySchema,
  loggerSchema,
  optionSchemas,
  type IssueNote,
  type OptionIssue,
  type OptionsCheck,
} from './options.js';
export {
  defineBackend,
  isBackendDescriptor,
  isBackendSelection,
  resolveFactoryOptions,
  type BackendContext,
  type BackendDefaults,
  type BackendDefinition,
  type BackendDescriptor,
  type BackendSelection,
  type Env,
  type RunFromEnv,
} from './descriptor.js';
