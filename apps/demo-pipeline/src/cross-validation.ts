import type { ExperimentTracker } from '@metrics/unified';
import type { Split } from './data.js';
import { Adam, learningRateAt, Mlp } from './model.js';
import { createRng, shuffle } from './random.js';

export interface CrossValidationOptions {
  /** Number of folds (≥ 2). */
  folds: number;
  epochs: number;
  hidden: readonly number[];
  classes: number;
  features: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface FoldResult {
  name: string;
  /** The fold's validation accuracy and loss after its last epoch. */
  accuracy: number;
  loss: number;
  /** Each backend's ids of the fold's child run. */
  runIds: Record<string, Record<string, string>>;
}

export interface CrossValidationResult {
  folds: FoldResult[];
  meanAccuracy: number;
}

/** The rows `indices` of a split, as a split of their own. */
function rowsOf(split: Split, indices: readonly number[], features: number): Split {
  const x = new Float32Array(indices.length * features);
  const y = new Int32Array(indices.length);
  indices.forEach((i, r) => {
    x.set(split.x.subarray(i * features, (i + 1) * features), r * features);
    y[r] = split.y[i]!;
  });
  return { x, y, rows: indices.length };
}

/**
 * k-fold cross-validation of the network on the training split, each fold a nested run of the pipeline's run
 * (`tracker.child`): an MLflow child run, a W&B run in the run's group with job type `fold`, a TensorBoard
 * directory `<run>/fold-<k>`. Each fold logs its training loss, validation metrics per epoch and a summary; the
 * parent gets the mean validation accuracy over the folds.
 */
export async function crossValidate(tracker: ExperimentTracker, train: Split, options: CrossValidationOptions): Promise<CrossValidationResult> {
  const { folds: k, epochs, features, batchSize, learningRate } = options;
  const order = shuffle(
    Array.from({ length: train.rows }, (_, i) => i),
    createRng(options.seed),
  );
  const folds: FoldResult[] = [];
  for (let f = 0; f < k; f++) {
    await using fold = tracker.child(`fold-${f}`, { jobType: 'fold' });
    fold.logHyperparams({ fold: f, folds: k, epochs, batch_size: batchSize, learning_rate: learningRate });
    const fit = rowsOf(
      train,
      order.filter((_, i) => i % k !== f),
      features,
    );
    const held = rowsOf(
      train,
      order.filter((_, i) => i % k === f),
      features,
    );
    const rng = createRng(options.seed + 1 + f);
    const model = new Mlp([features, ...options.hidden, options.classes], rng);
    const optimizer = new Adam(model);
    const steps = Math.ceil(fit.rows / batchSize);
    const rows = Array.from({ length: fit.rows }, (_, i) => i);
    let validation = { loss: 0, accuracy: 0 };
    for (let epoch = 0, step = 0; epoch < epochs; epoch++) {
      shuffle(rows, rng);
      let loss = 0;
      for (let b = 0; b < steps; b++, step++) {
        const batch = rowsOf(fit, rows.slice(b * batchSize, (b + 1) * batchSize), features);
        const result = model.lossAndGradients(batch.x, batch.y, batch.rows);
        optimizer.step(result.gradients, learningRateAt(step, epochs * steps, learningRate));
        loss += result.loss * batch.rows;
      }
      const v = model.lossAndGradients(held.x, held.y, held.rows);
      validation = { loss: v.loss, accuracy: v.correct / held.rows };
      fold.logTrainingMetrics(epoch, step - 1, { loss: loss / fit.rows });
      fold.log({ 'validation/loss': validation.loss, 'validation/accuracy': validation.accuracy }, { step: step - 1 });
      await new Promise((r) => setImmediate(r)); // the export pipeline's turn
    }
    fold.setSummary({ 'validation/accuracy': validation.accuracy, 'validation/loss': validation.loss });
    await fold.flush({ timeoutMs: 10_000 }); // the child runs exist (their ids are known)
    folds.push({ name: `fold-${f}`, ...validation, runIds: fold.runHandle().runIds });
  }
  const meanAccuracy = folds.reduce((sum, f) => sum + f.accuracy, 0) / folds.length;
  tracker.setSummary({ 'validation/cv_mean_accuracy': meanAccuracy });
  return { folds, meanAccuracy };
}
