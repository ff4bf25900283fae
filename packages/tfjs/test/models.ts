// Tiny real tfjs models and data for the tests and the benchmark.
import * as tf from '@tensorflow/tfjs';

/** A seeded 2-layer classifier: 4 features → 8 ReLU → 3 softmax, Adam, categorical cross-entropy + accuracy. */
export function tinyClassifier(options: { seed?: number; learningRate?: number; hidden?: number; inputs?: number } = {}): tf.Sequential {
  const seed = options.seed ?? 1;
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [options.inputs ?? 4],
      units: options.hidden ?? 8,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  model.compile({ optimizer: tf.train.adam(options.learningRate ?? 0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** `rows` points in 3 separable clusters, one-hot labels; deterministic. */
export function clusters(rows: number, inputs = 4): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const xs = new Float32Array(rows * inputs);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = r % 3;
    labels[r] = c;
    for (let f = 0; f < inputs; f++) xs[r * inputs + f] = c * 1.5 + Math.sin(r * 7.3 + f * 1.7) * 0.6;
  }
  return tf.tidy(() => ({ x: tf.tensor2d(xs, [rows, inputs]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat() as tf.Tensor2D }));
}
