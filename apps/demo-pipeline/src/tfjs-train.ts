/**
 * `--model tfjs`: the same network trained by TensorFlow.js (a `tf.Sequential`, pure-JavaScript CPU backend)
 * through `@metrics/tfjs`'s `trackerCallback`, which does the logging. It starts from the MLP's own seeded
 * weights, follows the same learning-rate schedule and batch size, and its trained weights are copied back
 * into the MLP, so evaluation, saving and serving afterwards are the pipeline's, unchanged.
 */
import { trackerCallback, type TrackerLike } from '@metrics/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './data.js';
import { learningRateAt, type Mlp } from './model.js';
import type { EpochRecord, PipelineResult } from './pipeline.js';
import type { Progress } from './progress.js';

export interface TfjsTraining {
  tracker: TrackerLike;
  data: Dataset;
  model: Mlp;
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  logEvery: number;
  seed: number;
  progress: Progress;
}

/** A tf.Sequential with the MLP's layer sizes and current weights. */
function sequentialLike(model: Mlp): tf.Sequential {
  const net = tf.sequential();
  model.layers.forEach((layer, l) => {
    const last = l === model.layers.length - 1;
    net.add(tf.layers.dense({ inputShape: l === 0 ? [layer.inputs] : undefined, units: layer.outputs, activation: last ? 'softmax' : 'relu' }));
    const weights = [tf.tensor2d(layer.weights, [layer.inputs, layer.outputs]), tf.tensor1d(layer.bias)];
    net.layers[l]!.setWeights(weights);
    tf.dispose(weights);
  });
  return net;
}

/** The pipeline's warm-up + cosine schedule, set on the optimizer before every batch. */
class Schedule extends tf.Callback {
  step = 0;
  constructor(
    private readonly optimizer: tf.Optimizer,
    private readonly rate: (step: number) => number,
  ) {
    super();
  }
  override async onBatchBegin(): Promise<void> {
    (this.optimizer as unknown as { learningRate: number }).learningRate = this.rate(this.step);
  }
  override async onBatchEnd(): Promise<void> {
    this.step++;
  }
}

/** Trains, fills `epochs` and `trainingPoints` with what was logged, copies the weights into the MLP; returns the steps taken. */
export async function trainWithTfjs(options: TfjsTraining, epochs: EpochRecord[], trainingPoints: PipelineResult['trainingPoints']): Promise<number> {
  const { data, model, batchSize, progress } = options;
  // Production mode: no "install tfjs-node" banner on the demo's screen (and no debug-time checks).
  tf.enableProdMode();
  const features = data.features.length;
  const classes = data.classes.length;
  const stepsPerEpoch = Math.ceil(data.train.rows / batchSize);
  const totalSteps = options.epochs * stepsPerEpoch;
  const rate = (step: number) => learningRateAt(step, totalSteps, options.learningRate, options.warmupSteps);
  const net = sequentialLike(model);
  const optimizer = tf.train.adam(options.learningRate);
  net.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const schedule = new Schedule(optimizer, rate);

  const rows = Array.from({ length: data.train.rows }, (_, r) => ({
    xs: Array.from(data.train.x.subarray(r * features, (r + 1) * features)),
    ys: Array.from({ length: classes }, (_, c) => (c === data.train.y[r] ? 1 : 0)),
  }));
  // Reshuffled every epoch, from the seed.
  const dataset = tf.data
    .array(rows)
    .shuffle(rows.length, String(options.seed + 2))
    .batch(batchSize) as unknown as tf.data.Dataset<tf.TensorContainer>;
  const validation = tf.tidy(() => [
    tf.tensor2d(data.validation.x, [data.validation.rows, features]),
    tf.oneHot(tf.tensor1d(data.validation.y, 'int32'), classes).toFloat(),
  ]) as [tf.Tensor, tf.Tensor];

  // What the pipeline reports: the batch values trackerCallback logs (every `logEvery`-th batch) and each epoch.
  const record = new (class extends tf.Callback {
    override async onBatchEnd(_batch: number, logs?: tf.Logs): Promise<void> {
      const step = schedule.step - 1;
      const values = logs as unknown as Record<string, tf.Scalar | number>;
      if ((step + 1) % options.logEvery === 0) {
        const [loss, accuracy] = await Promise.all([values.loss, values.acc].map(async (v) => (typeof v === 'number' ? v : (await v!.data())[0]!)));
        trainingPoints.push({ step, loss: loss!, accuracy: accuracy!, learningRate: rate(step) });
      }
      progress.update(step + 1, totalSteps, `epoch ${Math.floor(step / stepsPerEpoch) + 1}/${options.epochs}`);
    }
  })();
  const history = await net.fitDataset(dataset, {
    epochs: options.epochs,
    validationData: validation,
    verbose: 0,
    callbacks: [schedule, trackerCallback(options.tracker, { updateFreq: options.logEvery, histogramFreq: 1, logModel: false, initialStep: 0 }), record],
  });
  history.epoch.forEach((epoch) => {
    const at = (key: string) => history.history[key]![epoch] as number;
    const step = (epoch + 1) * stepsPerEpoch - 1;
    epochs.push({
      epoch,
      step,
      trainLoss: at('loss'),
      trainAccuracy: at('acc'),
      validationLoss: at('val_loss'),
      validationAccuracy: at('val_acc'),
      learningRate: rate(step),
    });
  });
  // Back into the MLP: the same layout (`[inputs][outputs]` row-major kernels).
  for (const [l, layer] of model.layers.entries()) {
    const [kernel, bias] = net.layers[l]!.getWeights();
    layer.weights.set(await kernel!.data());
    layer.bias.set(await bias!.data());
  }
  tf.dispose(validation);
  net.dispose();
  optimizer.dispose();
  return totalSteps;
}
