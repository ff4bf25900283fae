import { z } from 'zod';
import { defineBackend, loggerSchema, optionSchemas } from '@metrics/core/backend';
import { createTensorBoardExporter, type TensorBoardExporterOptions, type TensorBoardNative } from './exporter.js';

/** The TensorBoard backend's own options (see the README's table; each documented on the exporter options). */
export type TensorBoardOptions = Omit<TensorBoardExporterOptions, 'logger'>;

const { positive, positiveInt } = optionSchemas;

export const tensorBoardOptionsSchema = z.strictObject({
  logDir: z.string({ error: 'logDir must be a directory path (a string, default "runs")' }).min(1, 'logDir must not be empty (default "runs")').optional(),
  runDir: z.string({ error: 'runDir must be a directory path (a string)' }).min(1, 'runDir must not be empty').optional(),
  maxQueue: positiveInt('maxQueue (flush after this many batches, default 10)').optional(),
  stepPolicy: z.enum(['keep', 'drop'], { error: 'stepPolicy must be "keep" or "drop"' }).optional(),
  hparamsExperiment: z.boolean({ error: 'hparamsExperiment must be true or false' }).optional(),
  purgeOnResume: z.boolean({ error: 'purgeOnResume must be true or false' }).optional(),
  // Any string: the writer makes the file name safe.
  filenameSuffix: z.string({ error: 'filenameSuffix must be a string' }).optional(),
  flushIntervalMs: positive('flushIntervalMs (ms between flushes, default 30000)').optional(),
  flushBytes: positiveInt('flushBytes').optional(),
  fsyncOnClose: z.boolean({ error: 'fsyncOnClose must be true or false' }).optional(),
  scalarFormat: z.enum(['simple', 'tensor'], { error: 'scalarFormat must be "simple" or "tensor"' }).optional(),
  writerName: z.string({ error: 'writerName must be a string' }).optional(),
});

/** `createTensorBoardExporter`'s options: the backend's plus a logger. */
export const tensorBoardExporterOptionsSchema = tensorBoardOptionsSchema.extend({ logger: loggerSchema.optional() });

/**
 * The TensorBoard backend: `exporters: [tensorboard({ logDir: 'runs' })]` in `@metrics/unified`.
 * `TENSORBOARD_LOGDIR` sets `logDir` when the option is not given.
 */
export const tensorboard = defineBackend<TensorBoardOptions, TensorBoardNative>({
  name: 'tensorboard',
  package: '@metrics/tensorboard',
  optionsSchema: tensorBoardOptionsSchema,
  fromEnv: (env) => ({ logDir: env.TENSORBOARD_LOGDIR || undefined }),
  envVars: { logDir: 'TENSORBOARD_LOGDIR' },
  // A full queue is written inline (exportSync): core's default 'keep'.
  defaults: { fullQueue: 'keep' },
  create: (options, { logger }) => createTensorBoardExporter({ ...options, logger }),
});
