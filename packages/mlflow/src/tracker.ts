import { createLogger, createTracker, type Tracker, type TrackerOptions } from '@metrics/core';
import { pickOptions, resolveFactoryOptions, trackerOptionsSchema } from '@metrics/core/backend';
import { mlflow } from './backend.js';
import { createMlflowExporter, type MlflowExporterOptions } from './exporter.js';
import { mlflowOptionsSchema } from './settings.js';

export interface MlflowTrackerOptions extends MlflowExporterOptions, Omit<TrackerOptions, 'exporters' | 'logger'> {}

const trackerSchema = trackerOptionsSchema.extend(mlflowOptionsSchema.shape);

/**
 * A complete MLflow tracker: the core pipeline (batching, retries, never blocking) with the MLflow exporter.
 * Points that cannot be delivered — no server, or an outage past the retry deadline — go to a spool on disk
 * (`spillDir`, default `./mlflow-spool`) and are sent when the server is back, or later with
 * `metrics-mlflow replay <spool> --tracking-uri …`. Unknown or bad options fail here (`InvalidConfigError`).
 */
export function createMlflowTracker(options: MlflowTrackerOptions = {}): Tracker {
  const resolved = resolveFactoryOptions(mlflow, trackerSchema, options, 'createMlflowTracker options') as MlflowTrackerOptions;
  // One logger for the pipeline and the exporter, so `logLevel` quiets both.
  const logger = resolved.logger ?? createLogger({ level: resolved.logLevel });
  const { fullQueue, spillDir } = mlflow.defaults ?? {};
  return createTracker({
    fullQueue,
    spillDir,
    ...resolved,
    logger,
    exporters: [createMlflowExporter({ ...pickOptions(mlflowOptionsSchema, resolved), logger })],
  });
}
