export { createMlflowReader, MlflowReader, type MlflowReaderOptions, type SearchRunsOptions, type MetricHistoryOptions } from './reader.js';
export type { MlflowRun } from './wire.js';
