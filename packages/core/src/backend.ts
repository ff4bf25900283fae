/**
 * `@metrics/core/backend`: what a backend author needs, in one documented place. Users call
 * `@metrics/core`; a backend package (TensorBoard, MLflow, W&B, the facade, your own) imports this.
 *
 * - The exporter spec: `ExporterV1`, records, `RunInfo`, `ExportResult`, `EXPORT_OK`, `failure()`.
 * - Descriptors: `defineBackend` and the options toolkit (`parseOptions`, `trackerOptionsSchema`, …).
 * - The pipeline and its lanes: `Pipeline`, batch options, full-queue (overflow) policies.
 * - The spool: file names, reading, writing and `replaySpool`.
 * - Retry (`withRetry`, `classifyError`, `parseRetryAfter`) and the HTTP client (`HttpClient`, undici).
 * - The protobuf wire writer and reader, PNG encoding, secret masking, exit handling, the processors.
 * - `safeSegment`: the one way to make a file or directory name from a user-supplied name.
 */
export * from './index.js';
export {
  SPECIFICATION_VERSION,
  RECORD_KINDS,
  OPT_IN_KINDS,
  kindsExcept,
  withOptInKinds,
  EXPORT_OK,
  type Timed,
  type ScalarPoint,
  type HistogramRecord,
  type ImageRecord,
  type TextRecord,
  type HyperparamsRecord,
  type ConfigRecord,
  type SummaryRecord,
  type ArtifactRecord,
  type TableRecord,
  type PrCurveRecord,
  type ConfusionMatrixRecord,
  type AudioRecord,
  type RunTagsRecord,
  type RunNoteRecord,
  type DatasetRecord,
  type TrackingRecord,
  type RecordKind,
  type RunInfo,
  type ChildRun,
  type ExportResult,
  type ExporterV1,
  type Exporter,
  type BackendQueueStats,
  type RunDescription,
} from './spec.js';
export { isRetryableStatus, errorMessage } from './errors.js';
export { failure, type ExportFailure } from './failure.js';
export { redact, withSecrets, MARK } from './logger.js';
export { DEFAULT_RETRY_POLICY, retryDelay, parseRetryAfter, withRetry, delay, classifyError, type RetryableFailure } from './retry.js';
export { parseConfig, createNameResolver, checkValue, checkStep, type NameResolver } from './validation.js';
export { Pipeline, DEFAULT_BATCH_OPTIONS, type PipelineOptions } from './pipeline.js';
export { openSpool, readSpool, encodeSpoolLine, decodeSpoolLine, decodeSpoolRecords, type SpoolHeader } from './spool.js';
export { spoolFileName, listSpools, parseSpoolFileName, type SpoolFileEntry } from './spool-files.js';
export { replaySpool, type ReplaySpoolOptions, type SpoolReplayResult } from './spool-replay.js';
export {
  assertChildCall,
  assertLogOptions,
  assertMetricValues,
  assertStepArgument,
  CHILD_OPTION_KEYS,
  LOG_OPTION_KEYS,
  IMAGE_OPTION_KEYS,
} from './processing/call-shape.js';
export { forEachMetric, type MetricValues } from './processing/flatten.js';
export {
  artifactNameProblem,
  artifactTypeProblem,
  artifactAliasProblem,
  suggestArtifactName,
  assertArtifactOptions,
  ARTIFACT_NAME_MAX,
  ARTIFACT_OPTION_KEYS,
} from './processing/artifacts.js';
export { IntervalAggregator, type ScalarOut } from './processing/interval.js';
export { StepClock } from './processing/step-clock.js';
export { registerForExit, unregisterForExit } from './exit.js';
export { shellQuote } from './shell.js';
export { safeSegment, truncateBytes, type SafeSegmentOptions } from './paths.js';
export { scrubSecrets, redactKnown, isSecretKey, withoutUrlCredentials } from './secrets.js';
export { encodePng, imageFile } from './media/png.js';
export { crc32 } from './crc32.js';
export { encodeWav, decodeWav } from './media/wav.js';
export { markdownTable } from './media/markdown-table.js';
export { renderPrCurve, renderConfusionMatrix } from './media/plots.js';
export { prCurvePoints, confusionCounts, prCurveExamples, confusionExamples, type PrCurvePoints } from './processing/curves.js';
export {
  checkTable,
  checkPrCurve,
  checkConfusionMatrix,
  checkAudio,
  checkTags,
  checkNote,
  MAX_TABLE_ROWS,
  MAX_TABLE_COLUMNS,
  MAX_TAG_VALUE,
  MAX_NOTE,
  MAX_CLASSES,
  MAX_AUDIO_SAMPLES,
  type Checked,
} from './processing/kinds.js';
export { checkDataset, datasetSourceType, MAX_DATASET_DIGEST } from './processing/dataset.js';
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
export * from './http/index.js';
export * from './protobuf/index.js';
export * from './read/index.js';
