import { z } from 'zod';
import { createLogger, createTracker, type Tracker, type TrackerOptions } from '@metrics/core';
import { pickOptions, resolveFactoryOptions, trackerOptionsSchema } from '@metrics/core/backend';
import { createTensorBoardExporter, type TensorBoardExporterOptions } from './exporter.js';
import { tensorboard, tensorBoardOptionsSchema } from './settings.js';

export type TensorBoardTrackerOptions = Omit<TrackerOptions, 'exporters'> &
  TensorBoardExporterOptions & {
    /** More exporters to feed alongside TensorBoard. */
    exporters?: TrackerOptions['exporters'];
  };

const trackerSchema = trackerOptionsSchema.extend(tensorBoardOptionsSchema.shape).extend({
  exporters: z
    .array(
      z.custom<TrackerOptions['exporters'][number]>((v) => typeof v === 'object' && v !== null && typeof (v as { export?: unknown }).export === 'function', {
        error: 'exporters must be exporters (ExporterV1)',
      }),
    )
    .readonly()
    .optional(),
});

/**
 * The core tracker (validation, queue, batching, flush on exit) writing TensorBoard event files. Unknown or
 * bad options (`logdir`, `flushIntervalMs: -5`) fail here with an `InvalidConfigError` naming the fix.
 */
export function createTensorBoardTracker(options: TensorBoardTrackerOptions = {}): Tracker {
  const { exporters = [], ...rest } = resolveFactoryOptions(
    tensorboard,
    trackerSchema,
    options,
    'createTensorBoardTracker options',
  ) as TensorBoardTrackerOptions;
  // One logger for the pipeline and the exporter, so `logLevel` quiets both.
  const logger = rest.logger ?? createLogger({ level: rest.logLevel });
  return createTracker({ ...rest, logger, exporters: [createTensorBoardExporter({ ...pickOptions(tensorBoardOptionsSchema, rest), logger }), ...exporters] });
}
