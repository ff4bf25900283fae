import type { HyperparamValue } from '@metrics/core';
import { toJsonSafe } from '@metrics/core/backend';
import type { LayersModel } from '@tensorflow/tfjs';

/** The optimizer's learning rate when it exposes one as a number (SGD, Adam, RMSProp, Adagrad … do). */
export function learningRateOf(model: LayersModel): number | undefined {
  const lr = (model.optimizer as unknown as { learningRate?: unknown } | undefined)?.learningRate;
  return typeof lr === 'number' && Number.isFinite(lr) ? lr : undefined;
}

/** A loss as text: its name, or the function's name, or the names of a multi-output model's losses. */
function lossText(loss: unknown): string {
  if (typeof loss === 'string') return loss;
  if (typeof loss === 'function') return loss.name || 'custom';
  if (Array.isArray(loss)) return loss.map(lossText).join(',');
  if (loss && typeof loss === 'object')
    return Object.entries(loss)
      .map(([k, v]) => `${k}:${lossText(v)}`)
      .join(',');
  return 'unknown';
}

/** What `model.fit` hands its callbacks as `params` (tfjs's `Params`). */
export type FitParams = Record<string, unknown>;

export interface ModelInfo {
  hyperparams: Record<string, HyperparamValue>;
  config: Record<string, unknown>;
  parameterCount: number;
  summary: string;
}

/** `model.summary()`'s table, captured instead of printed. */
export function summaryText(model: LayersModel): string {
  const lines: string[] = [];
  model.summary(undefined, undefined, (...message: unknown[]) => lines.push(message.join(' ')));
  return lines.join('\n');
}

/** Everything logged at the start of a fit: model and optimizer configuration, hyperparameters, summary. */
export function describeModel(model: LayersModel, params: FitParams): ModelInfo {
  const optimizer = model.optimizer as unknown as { getClassName?(): string; getConfig?(): unknown } | undefined;
  const optimizerName = optimizer?.getClassName?.() ?? 'unknown';
  const parameterCount = model.countParams();
  const hyperparams: Record<string, HyperparamValue> = { optimizer: optimizerName, loss: lossText(model.loss), parameters: parameterCount };
  const lr = learningRateOf(model);
  if (lr !== undefined) hyperparams.learning_rate = lr;
  for (const [from, to] of [
    ['epochs', 'epochs'],
    ['batchSize', 'batch_size'],
    ['samples', 'samples'],
    ['steps', 'steps_per_epoch'],
  ] as const) {
    const v = params[from];
    if (typeof v === 'number' && Number.isFinite(v)) hyperparams[to] = v;
  }
  const config = {
    model: toJsonSafe(model.getConfig()),
    optimizer: { class_name: optimizerName, config: toJsonSafe(optimizer?.getConfig?.() ?? {}) },
    loss: lossText(model.loss),
    metrics: toJsonSafe(model.metricsNames),
    fit: toJsonSafe(Object.fromEntries(Object.entries(params).filter(([, v]) => typeof v !== 'object' || Array.isArray(v)))),
    parameters: parameterCount,
  } as Record<string, unknown>;
  return { hyperparams, config, parameterCount, summary: summaryText(model) };
}
