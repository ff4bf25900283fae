import { toSegment } from '@metrics/core';

/** tfjs's short metric names and the conventional ones they stand for. */
const CANONICAL: Readonly<Record<string, string>> = {
  loss: 'loss',
  acc: 'accuracy',
  accuracy: 'accuracy',
  lr: 'learning_rate',
};

/**
 * The conventional name of a key in tfjs's logs: `loss` → `training/loss`, `acc` → `training/accuracy`,
 * `val_loss` → `validation/loss`, `val_acc` → `validation/accuracy`, `meanSquaredError` →
 * `training/mean_squared_error`. `prefix` goes before the metric's own segment (`epoch_` in batch mode).
 */
export function metricName(key: string, prefix = ''): string {
  const validation = key.startsWith('val_');
  const bare = validation ? key.slice(4) : key;
  const metric = CANONICAL[bare] ?? toSegment(bare);
  return validation ? `validation/${metric}` : `training/${prefix}${metric}`;
}

/** `model/weights/<layer>/<weight>`, e.g. `model/weights/dense_dense1/kernel` for layer `dense_Dense1`'s `dense_Dense1/kernel`. */
export function weightHistogramName(layerName: string, weightName: string): string {
  const own = weightName.slice(weightName.lastIndexOf('/') + 1);
  return `model/weights/${toSegment(layerName)}/${toSegment(own)}`;
}
