export { createExperimentTracker, ExperimentTracker, type ExperimentTrackerOptions } from './experiment-tracker.js';
export { experimentConfigSchema, resolveConfig, checkConfig, rankFromEnv, type ExperimentConfig, type ExperimentConfigInput } from './config.js';
export { defineTracker, trackerAsExporter, type TrackerDefinition } from './define-tracker.js';
export { BACKEND_PACKAGES, BUILT_IN_BACKENDS, BackendNotInstalledError, type BackendImporter, type BackendOptions, type BuiltInBackend } from './backends.js';
// Custom backends use the same helper as the built-in ones.
export { defineBackend, type BackendDefinition, type BackendDescriptor, type BackendSelection } from '@metrics/core/backend';
export { runTracked, type CloseReport, type BackendCloseReport } from '@metrics/core';
