// `--model tfjs`: the Iris pipeline trained by TensorFlow.js through @metrics/tfjs's trackerCallback, logging to
// TensorBoard, MLflow (a real server) and W&B offline, read back with the real tools.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@metrics/core';
import { ensureVenv, type MlflowServer, startMlflowServer } from '@metrics/oracle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipelineResult, runPipeline } from '../src/pipeline.js';
import { readMlflow, readTensorBoard, readWandb } from './readers.js';

const MODEL = 'demo-e2e-iris-tfjs';
const EPOCHS = 4;
let server: MlflowServer;
let result: PipelineResult;

beforeAll(async () => {
  await ensureVenv();
  server = await startMlflowServer();
  result = await runPipeline({
    epochs: EPOCHS,
    seed: 11,
    out: mkdtempSync(join(tmpdir(), 'demo-tfjs-')),
    backends: ['tensorboard', 'mlflow', 'wandb'],
    model: 'tfjs',
    runName: 'tfjs run',
    mlflowTrackingUri: server.url,
    registeredModelName: MODEL,
    systemMetricsIntervalMs: 0,
    logger: createLogger({ level: 'silent' }),
    env: {},
  });
}, 900_000);

afterAll(async () => {
  await server?.stop();
});

describe('the demo pipeline with --model tfjs', () => {
  it('trains with tfjs, and all three backends hold the values tfjs reported, at batch steps', async () => {
    expect(result.backends).toEqual(['tensorboard', 'mlflow', 'wandb']);
    for (const s of result.stats.exporters) expect(s, s.name).toMatchObject({ failed: 0, dropped: 0 });
    // 120 rows / batch 16 = 8 batches an epoch; trackerCallback logs every 5th batch, epochs at their last batch.
    expect(result.trainingPoints.map((p) => p.step)).toEqual([4, 9, 14, 19, 24, 29]);
    expect(result.epochs.map((e) => e.step)).toEqual([7, 15, 23, 31]);
    expect(result.epochs.at(-1)!.trainLoss).toBeLessThan(result.epochs[0]!.trainLoss);
    expect(result.evaluation.accuracy).toBeGreaterThan(0.7);
    expect(result.registered, result.registrationError).toBeDefined();

    const expected: Record<string, [number, number][]> = {
      'training/loss': result.trainingPoints.map((p) => [p.step, p.loss]),
      'training/accuracy': result.trainingPoints.map((p) => [p.step, p.accuracy]),
      // With the batch values and with each epoch's.
      'training/learning_rate': [
        ...result.trainingPoints.map((p): [number, number] => [p.step, p.learningRate]),
        ...result.epochs.map((e): [number, number] => [e.step, e.learningRate]),
      ].sort((a, b) => a[0] - b[0]),
      'training/epoch_loss': result.epochs.map((e) => [e.step, e.trainLoss]),
      'validation/loss': result.epochs.map((e) => [e.step, e.validationLoss]),
      'validation/accuracy': result.epochs.map((e) => [e.step, e.validationAccuracy]),
    };
    const tb = Object.values(await readTensorBoard(result.paths.tensorboard))[0]!;
    const mlflow = await readMlflow(server.url, result.runIds.mlflow!.runId!, MODEL, result.registered!.version);
    const wandb = await readWandb(result.paths.wandbRun!);
    expect(wandb.code, wandb.stderr).toBe(0);
    const rows = wandb.records.filter((r) => r.type === 'history').map((r) => (r.history as { item: Record<string, unknown> }).item);
    const wandbSeries = (name: string) => rows.filter((row) => typeof row[name] === 'number').map((row) => [row.global_step, row[name]]);
    for (const [name, points] of Object.entries(expected)) {
      // TensorBoard keeps float32; tfjs's values are float32 already, except the schedule's learning rate.
      expect(tb.scalars[name], `tensorboard ${name}`).toEqual(points.map(([s, v]) => [s, Math.fround(v)]));
      expect(mlflow.metrics[name], `mlflow ${name}`).toEqual(points);
      expect(wandbSeries(name), `wandb ${name}`).toEqual(points);
    }
    expect(Object.keys(tb.histograms)).toContain('model/weights/dense_dense1/kernel');
    expect(mlflow.params).toMatchObject({ model: 'tfjs' });
    expect(mlflow.model_version.run_id).toBe(result.runIds.mlflow!.runId);
  }, 600_000);
});
