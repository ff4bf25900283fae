import { createLogger, createTracker } from '@metrics/core';
import type { ScalarPoint } from '@metrics/core/backend';
import { InMemoryExporter } from '@metrics/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { clusters, tinyClassifier } from '../test/models.js';
import { autolog } from './index.js';

const quiet = createLogger({ level: 'silent' });

describe('autolog', () => {
  it('logs every fit with no change to the training code, once per fit, and undo() restores fit', async () => {
    const originals = [tf.LayersModel.prototype.fit, tf.LayersModel.prototype.fitDataset, tf.Sequential.prototype.fit, tf.Sequential.prototype.fitDataset];
    const memory = new InMemoryExporter();
    const tracker = createTracker({ exporters: [memory], logger: quiet });
    const handle = autolog(tracker, { logger: quiet });
    expect(() => autolog(tracker)).toThrow(/already active/);
    const model = tinyClassifier();
    const { x, y } = clusters(32);
    // The user's own callbacks still run: a plain object and a callback instance.
    const userEpochs: number[] = [];
    const history = await model.fit(x, y, {
      epochs: 2,
      batchSize: 16,
      verbose: 0,
      callbacks: { onEpochEnd: async (e) => void userEpochs.push(e) },
    });
    expect(userEpochs).toEqual([0, 1]);
    expect(handle.callbacks).toHaveLength(1); // the Sequential's inner model did not get a second one
    await tracker.flush();
    expect(memory.records.filter((r): r is ScalarPoint => r.kind === 'scalar' && r.name === 'training/loss').map((r) => [r.step, r.value])).toEqual(
      history.history.loss!.map((v, e) => [e * 2 + 1, v]),
    );
    // The description comes from the Sequential itself (its config names its layers), not its inner model.
    const config = memory.records.find((r) => r.kind === 'config')!.config as { model: { name: string } };
    expect(config.model.name).toBe(model.name);

    const early = tf.callbacks.earlyStopping({ monitor: 'loss', patience: 100 });
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [early] });
    expect(handle.callbacks).toHaveLength(2);

    handle.undo();
    handle.undo();
    expect([tf.LayersModel.prototype.fit, tf.LayersModel.prototype.fitDataset, tf.Sequential.prototype.fit, tf.Sequential.prototype.fitDataset]).toEqual(
      originals,
    );
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    expect(handle.callbacks).toHaveLength(2);
    await tracker.close();
    // A new autolog is allowed after undo.
    autolog(tracker, { logger: quiet }).undo();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('rejects bad arguments at once', () => {
    const tracker = createTracker({ exporters: [new InMemoryExporter()], logger: quiet });
    expect(() => autolog(tracker, { updateFreq: 0 })).toThrow(/updateFreq/);
    expect(() => autolog(tracker, { model: {} } as never)).toThrow(/model/);
    void tracker.close();
  });
});
