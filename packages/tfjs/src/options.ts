import type { Logger } from '@metrics/core';
import { loggerSchema, parseOptions } from '@metrics/core/backend';
import type { LayersModel } from '@tensorflow/tfjs';
import { z } from 'zod';
import type { ModelRegistry } from './tracker-like.js';

export interface SaveModelOptions {
  /** Local directory the model is saved to (`model.json` + `weights.bin`). */
  dir: string;
  /** Where it goes in the run's artifacts. Default `'model'`. */
  artifactPath?: string;
  /**
   * Register the saved model in the MLflow Model Registry under this name. Uses `registry` when given,
   * else the tracker's MLflow backend (the facade's `backend('mlflow')`); without either it is skipped, with a warning.
   */
  registerAs?: string;
  /** A registry to use, e.g. `createMlflowExporter(…).native()`. */
  registry?: ModelRegistry;
  description?: string;
}

export interface TrackerCallbackOptions {
  /**
   * `'epoch'` (default): one point per epoch, `training/loss` equal to what `model.fit`'s `History` holds.
   * `'batch'`: every batch's values too (the epoch means then go to `training/epoch_<metric>`); `N`: every N-th batch's.
   */
  updateFreq?: 'batch' | 'epoch' | number;
  /** Weight and bias histograms (`model/weights/<layer>/<weight>`) every this many epochs; 0 (default) = never. */
  histogramFreq?: number;
  /** At the first fit: model config, optimizer and loss as hyperparameters, parameter count, `model.summary()` text. Default true. */
  logModel?: boolean;
  /** `training/learning_rate` when the optimizer exposes a number. Default true. */
  learningRate?: boolean;
  /** `performance/epoch_time_ms` and `performance/examples_per_second`. Default true. */
  performance?: boolean;
  /** Save the model at the end of the fit and log it as an artifact (optional). */
  save?: SaveModelOptions;
  /** The step of the first batch. Default: the tracker's `step` when the fit starts (so a second fit continues the curves). */
  initialStep?: number;
  /** The model to describe and save. Default: the one `fit` hands its callbacks (for a `Sequential`, its inner model). */
  model?: LayersModel;
  /** Where the callback's own warnings go. Default: a console logger. */
  logger?: Logger;
}

const nonNegativeInt = (name: string) =>
  z
    .number({ error: `${name} must be a whole number ≥ 0` })
    .int(`${name} must be a whole number ≥ 0`)
    .min(0, `${name} must be ≥ 0`);

const saveSchema = z.strictObject({
  dir: z.string({ error: 'save.dir must be a directory path' }).min(1, 'save.dir must not be empty'),
  artifactPath: z.string({ error: 'save.artifactPath must be a string' }).optional(),
  registerAs: z.string({ error: 'save.registerAs must be a model name' }).min(1, 'save.registerAs must not be empty').optional(),
  registry: z
    .custom<ModelRegistry>((v) => typeof (v as Partial<ModelRegistry> | null)?.registerModel === 'function', {
      error: 'save.registry must have registerModel(name, artifactPath) (the MLflow exporter’s native())',
    })
    .optional(),
  description: z.string({ error: 'save.description must be a string' }).optional(),
});

const optionsSchema = z.strictObject({
  updateFreq: z
    .union([z.literal('batch'), z.literal('epoch'), z.number().int().min(1)], { error: 'updateFreq must be "batch", "epoch" or a whole number ≥ 1' })
    .optional(),
  histogramFreq: nonNegativeInt('histogramFreq').optional(),
  logModel: z.boolean({ error: 'logModel must be true or false' }).optional(),
  learningRate: z.boolean({ error: 'learningRate must be true or false' }).optional(),
  performance: z.boolean({ error: 'performance must be true or false' }).optional(),
  save: saveSchema.optional(),
  initialStep: nonNegativeInt('initialStep').optional(),
  model: z.custom<LayersModel>((v) => typeof (v as { fit?: unknown } | null)?.fit === 'function', { error: 'model must be a tfjs LayersModel' }).optional(),
  logger: loggerSchema.optional(),
});

const TRACKER_METHODS = ['log', 'logHistogram', 'logHyperparams', 'logConfig', 'logText', 'setSummary', 'logArtifact', 'flush'] as const;

/** A bad tracker or bad options fail at once, naming the fix. */
export function checkArguments(context: string, tracker: unknown, options: unknown): TrackerCallbackOptions {
  const missing = TRACKER_METHODS.filter((m) => typeof (tracker as Record<string, unknown> | null)?.[m] !== 'function');
  if (missing.length > 0)
    throw new TypeError(
      `${context}: the first argument must be a tracker (createExperimentTracker, createTracker or a backend's tracker); it lacks ${missing.join(', ')}`,
    );
  return parseOptions(optionsSchema, options ?? {}, `${context} options`) as TrackerCallbackOptions;
}
