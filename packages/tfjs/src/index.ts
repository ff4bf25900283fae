export { trackerCallback, TrackerCallback, type TrackerCallbackStats } from './callback.js';
export { autolog, type Autolog } from './autolog.js';
export type { TrackerCallbackOptions, SaveModelOptions } from './options.js';
export type { TrackerLike, ModelRegistry } from './tracker-like.js';
export { fileSystemHandler } from './file-io.js';
export { metricName, weightHistogramName } from './names.js';
export { describeModel, summaryText, learningRateOf, type ModelInfo } from './model-info.js';
