import { createLogger, createTracker, type Tracker, type TrackerOptions } from '@metrics/core';
import { createTensorBoardExporter, type TensorBoardExporterOptions } from './exporter.js';

export type TensorBoardTrackerOptions = Omit<TrackerOptions, 'exporters'> &
  TensorBoardExporterOptions & {
    /** More exporters to feed alongside TensorBoard. */
    exporters?: TrackerOptions['exporters'];
  };

/** The core tracker (validation, queue, batching, flush on exit) writing TensorBoard event files. */
export function createTensorBoardTracker(options: TensorBoardTrackerOptions = {}): Tracker {
  const { exporters = [], ...rest } = options;
  // One logger for the pipeline and the exporter, so `logLevel` quiets both.
  const logger = rest.logger ?? createLogger({ level: rest.logLevel });
  return createTracker({ ...rest, logger, exporters: [createTensorBoardExporter({ ...rest, logger }), ...exporters] });
}
