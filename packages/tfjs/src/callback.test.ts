import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createTracker } from '@metrics/core';
import type { ScalarPoint, TrackingRecord } from '@metrics/core/backend';
import { InMemoryExporter } from '@metrics/core/test';
import { createExperimentTracker } from '@metrics/unified';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { clusters, tinyClassifier } from '../test/models.js';
import { fileSystemHandler } from './file-io.js';
import { trackerCallback } from './index.js';

const quiet = createLogger({ level: 'silent' });

function memoryTracker() {
  const memory = new InMemoryExporter();
  const tracker = createTracker({ exporters: [memory], logger: quiet, experiment: 'tfjs', runName: 'test' });
  return { memory, tracker };
}

/** The first fit creates the optimizer's own variables (Adam's moments): count tensors after it. */
async function warmUp(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) {
  await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
}

const scalars = (records: TrackingRecord[], name: string) =>
  records.filter((r): r is ScalarPoint => r.kind === 'scalar' && r.name === name).map((r) => [r.step, r.value] as const);

describe('trackerCallback', () => {
  it('per epoch: conventional names, steps counted in batches, values equal to History', async () => {
    const { memory, tracker } = memoryTracker();
    const model = tinyClassifier();
    const { x, y } = clusters(60);
    await warmUp(model, x, y);
    const before = tf.memory().numTensors;
    const callback = trackerCallback(tracker, { histogramFreq: 2, logger: quiet });
    // 48 training rows, batch 16: 3 batches an epoch.
    const history = await model.fit(x, y, { epochs: 4, batchSize: 16, validationSplit: 0.2, callbacks: [callback], verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    await tracker.close();
    const records = memory.records;
    expect(scalars(records, 'training/loss')).toEqual(history.history.loss!.map((v, e) => [e * 3 + 2, v]));
    expect(scalars(records, 'training/accuracy')).toEqual(history.history.acc!.map((v, e) => [e * 3 + 2, v]));
    expect(scalars(records, 'validation/loss')).toEqual(history.history.val_loss!.map((v, e) => [e * 3 + 2, v]));
    expect(scalars(records, 'validation/accuracy')).toEqual(history.history.val_acc!.map((v, e) => [e * 3 + 2, v]));
    expect(scalars(records, 'training/epoch')).toEqual([0, 1, 2, 3].map((e) => [e * 3 + 2, e]));
    for (const [, lr] of scalars(records, 'training/learning_rate')) expect(lr).toBe(0.01);
    expect(scalars(records, 'performance/epoch_time_ms')).toHaveLength(4);
    for (const [, v] of scalars(records, 'performance/examples_per_second')) expect(v).toBeGreaterThan(0);
    // Histograms on epochs 2 and 4 (histogramFreq 2): every kernel and bias, with the current weights.
    const histograms = records.filter((r) => r.kind === 'histogram');
    expect(new Set(histograms.map((h) => h.name))).toEqual(
      new Set(['model/weights/dense_dense1/kernel', 'model/weights/dense_dense1/bias', 'model/weights/dense_dense2/kernel', 'model/weights/dense_dense2/bias']),
    );
    expect(histograms.map((h) => h.step)).toEqual([5, 5, 5, 5, 11, 11, 11, 11]);
    const lastKernel = histograms.find((h) => h.step === 11 && h.name.endsWith('dense_dense1/kernel'))!;
    expect(Array.from(lastKernel.values!)).toEqual(Array.from(model.layers[0]!.getWeights()[0]!.dataSync()));
    // The model's description, once, at the start.
    const hparams = records.find((r) => r.kind === 'hparams')!;
    expect(hparams.params).toMatchObject({
      optimizer: 'Adam',
      loss: 'categoricalCrossentropy',
      learning_rate: 0.01,
      epochs: 4,
      batch_size: 16,
      parameters: 4 * 8 + 8 + 8 * 3 + 3,
    });
    expect(hparams.metrics).toEqual(['training/loss', 'training/accuracy', 'validation/loss', 'validation/accuracy']);
    const config = records.find((r) => r.kind === 'config')!.config as { model: { layers: unknown[] }; optimizer: { class_name: string } };
    expect(config.model.layers.length).toBeGreaterThanOrEqual(2);
    expect(config.optimizer.class_name).toBe('Adam');
    const summary = records.find((r) => r.kind === 'text' && r.name === 'model/summary')!;
    expect(summary.kind === 'text' && summary.text).toContain('Total params: 67');
    expect(callback.stats()).toEqual({ batchPoints: 0, epochPoints: 4, histograms: 8, errors: 0 });
    tf.dispose([x, y]);
    model.dispose();
  });

  it('per batch and every N batches: the batch values at every (N-th) step, the epoch means as training/epoch_*', async () => {
    for (const [updateFreq, steps, learningRateSteps] of [
      ['batch', [0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]],
      [2, [1, 3, 5], [1, 2, 3, 5]], // and at the end of epoch 1 (step 2), whose last batch was not logged
    ] as const) {
      const { memory, tracker } = memoryTracker();
      const model = tinyClassifier();
      const { x, y } = clusters(48);
      const seen: number[] = [];
      const spy = new tf.CustomCallback({ onBatchEnd: async (_b, logs) => void seen.push(logs!.loss!) });
      await warmUp(model, x, y);
      const before = tf.memory().numTensors;
      const history = await model.fit(x, y, {
        epochs: 2,
        batchSize: 16,
        callbacks: [trackerCallback(tracker, { updateFreq, logModel: false, logger: quiet }), spy],
        verbose: 0,
      });
      expect(tf.memory().numTensors).toBe(before);
      await tracker.close();
      expect(scalars(memory.records, 'training/loss')).toEqual(steps.map((s) => [s, seen[s]]));
      expect(scalars(memory.records, 'training/epoch_loss')).toEqual(history.history.loss!.map((v, e) => [e * 3 + 2, v]));
      expect(scalars(memory.records, 'training/learning_rate').map(([s]) => s)).toEqual(learningRateSteps);
      expect(memory.records.some((r) => r.kind === 'hparams')).toBe(false);
      tf.dispose([x, y]);
      model.dispose();
    }
  });

  it('a second fit continues the steps where the first ended', async () => {
    const { memory, tracker } = memoryTracker();
    const model = tinyClassifier();
    const { x, y } = clusters(32);
    await model.fit(x, y, { epochs: 2, batchSize: 16, callbacks: [trackerCallback(tracker, { logger: quiet })], verbose: 0 });
    await model.fit(x, y, { epochs: 2, batchSize: 16, callbacks: [trackerCallback(tracker, { logger: quiet })], verbose: 0 });
    await tracker.close();
    expect(scalars(memory.records, 'training/loss').map(([s]) => s)).toEqual([1, 3, 5, 7]);
    expect(memory.records.filter((r) => r.kind === 'hparams')).toHaveLength(1);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('fitDataset: the same names, steps from batches', async () => {
    const { memory, tracker } = memoryTracker();
    const model = tinyClassifier();
    const { x, y } = clusters(40);
    const dataset = tf.data.zip({ xs: tf.data.array(x.unstack()), ys: tf.data.array(y.unstack()) }).batch(10);
    const history = await model.fitDataset(dataset, { epochs: 3, callbacks: [trackerCallback(tracker, { logger: quiet })], verbose: 0 });
    await tracker.close();
    expect(scalars(memory.records, 'training/loss')).toEqual(history.history.loss!.map((v, e) => [e * 4 + 3, v]));
    expect(scalars(memory.records, 'performance/examples_per_second')).toHaveLength(3);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('saves the model to a directory and logs it as an artifact; the files load back into tfjs', async () => {
    const { memory, tracker } = memoryTracker();
    const model = tinyClassifier();
    const { x, y } = clusters(32);
    const dir = join(mkdtempSync(join(tmpdir(), 'tfjs-save-')), 'model');
    await model.fit(x, y, { epochs: 1, batchSize: 16, callbacks: [trackerCallback(tracker, { save: { dir }, logger: quiet })], verbose: 0 });
    await tracker.close();
    expect(memory.records.filter((r) => r.kind === 'artifact')).toMatchObject([
      { localPath: join(dir, 'model.json'), artifactPath: 'model', type: 'model' },
      { localPath: join(dir, 'weights.bin'), artifactPath: 'model', type: 'model' },
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths).toEqual(['./weights.bin']);
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    const probe = x.slice([0, 0], [4, 4]);
    expect(Array.from((loaded.predict(probe) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(probe) as tf.Tensor).dataSync()));
    tf.dispose([x, y]);
  });

  it('a failing tracker never stops training: reported once, counted', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'error', sink: (_l, line) => lines.push(line) });
    const { tracker } = memoryTracker();
    const broken = new Proxy(tracker, {
      get: (target, key) =>
        key === 'log'
          ? () => {
              throw new Error('disk full');
            }
          : Reflect.get(target, key),
    });
    const model = tinyClassifier();
    const { x, y } = clusters(32);
    const callback = trackerCallback(broken, { logModel: false, logger });
    const history = await model.fit(x, y, { epochs: 3, batchSize: 16, callbacks: [callback], verbose: 0 });
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(callback.stats().errors).toBe(3);
    expect(lines.filter((l) => l.includes('disk full'))).toHaveLength(1);
    tf.dispose([x, y]);
  });

  it('after a plain-object callback (tfjs then wraps every entry and calls hooks detached): still logs', async () => {
    const { memory, tracker } = memoryTracker();
    const model = tinyClassifier();
    const { x, y } = clusters(32);
    const epochs: number[] = [];
    const callback = trackerCallback(tracker, { model, histogramFreq: 1, logger: quiet });
    const history = await model.fit(x, y, {
      epochs: 2,
      batchSize: 16,
      verbose: 0,
      callbacks: [{ onEpochEnd: async (e: number) => void epochs.push(e) }, callback] as never,
    });
    await tracker.close();
    expect(epochs).toEqual([0, 1]);
    expect(scalars(memory.records, 'training/loss')).toEqual(history.history.loss!.map((v, e) => [e * 2 + 1, v]));
    expect(callback.stats()).toMatchObject({ epochPoints: 2, histograms: 8, errors: 0 });
    tf.dispose([x, y]);
    model.dispose();
  });

  it('warns once when the facade would average several steps (epochs) into one point', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', sink: (_l, line) => lines.push(line) });
    const memory = new InMemoryExporter();
    const facade = await createExperimentTracker({
      tensorboardLogging: false,
      mlflowLogging: false,
      wandbLogging: false,
      trackers: [memory],
      logLevel: 'silent',
      env: {},
    });
    const model = tinyClassifier();
    const { x, y } = clusters(32);
    const callback = trackerCallback(facade, { logModel: false, logger });
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [callback] });
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [callback] });
    await facade.close();
    expect(lines.filter((l) => l.includes('experimentLoggingInterval: 1'))).toHaveLength(1);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('bad calls fail at once, naming the fix', () => {
    const { tracker } = memoryTracker();
    expect(() => trackerCallback({} as never)).toThrow(/must be a tracker/);
    expect(() => trackerCallback(tracker, { updateFreq: 'step' as never })).toThrow(/updateFreq must be "batch", "epoch" or a whole number/);
    expect(() => trackerCallback(tracker, { histogramFrequency: 1 } as never)).toThrow(/histogramFreq/);
    expect(() => trackerCallback(tracker, { save: {} as never })).toThrow(/save.dir/);
  });
});
