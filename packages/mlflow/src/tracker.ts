import { createLogger, createTracker, type Tracker, type TrackerOptions } from '@metrics/core';
import { createMlflowExporter, type MlflowExporterOptions } from './exporter.js';

export interface MlflowTrackerOptions extends MlflowExporterOptions, Omit<TrackerOptions, 'exporters' | 'logger'> {}

/**
 * A complete MLflow tracker: the core pipeline (batching, retries, never blocking) with the MLflow exporter.
 * Points that cannot be delivered — no server, or an outage past the retry deadline — go to a spool on disk
 * (`spillDir`, default `./mlflow-spool`) and are sent when the server is back, or later with
 * `metrics-mlflow replay <spool> --tracking-uri …`.
 */
export function createMlflowTracker(options: MlflowTrackerOptions = {}): Tracker {
  // One logger for the pipeline and the exporter, so `logLevel` quiets both.
  const logger = options.logger ?? createLogger({ level: options.logLevel });
  return createTracker({
    fullQueue: 'spill',
    spillDir: 'mlflow-spool',
    ...options,
    logger,
    exporters: [createMlflowExporter({ ...options, logger })],
  });
}
