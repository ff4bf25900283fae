export { createExperimentTracker, ExperimentTracker, type ExperimentTrackerOptions } from './experiment-tracker.js';
export { experimentConfigSchema, resolveConfig, rankFromEnv, type ExperimentConfig, type ExperimentConfigInput } from './config.js';
export { defineTracker, trackerAsExporter, type TrackerDefinition } from './define-tracker.js';
export { BUILT_IN_BACKENDS, BackendNotInstalledError, type BackendOptions, type BuiltInBackend } from './backends.js';
export { runTracked, type CloseReport, type BackendCloseReport } from '@metrics/core';
