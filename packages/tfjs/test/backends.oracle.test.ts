// Real tfjs models trained through trackerCallback, read back by the real tools: TensorBoard's EventAccumulator,
// `wandb leet inspect` (wandb's own Go reader) and the MLflow Python client against a real `mlflow server`.
// Three kinds of tracker: the facade (all three backends), core's createTracker over one exporter, and a single
// backend's own tracker.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createTracker } from '@metrics/core';
import { createMlflowExporter } from '@metrics/mlflow';
import { ensureVenv, runPython, startMlflowServer, allBackendsOptions } from '@metrics/oracle';
import { createTensorBoardTracker } from '@metrics/tensorboard';
import { createExperimentTracker } from '@metrics/unified';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackerCallback } from '../src/index.js';
import { clusters, tinyClassifier } from './models.js';

const quiet = createLogger({ level: 'silent' });
const LONG = 300_000;
let server: Awaited<ReturnType<typeof startMlflowServer>>;
beforeAll(async () => {
  await ensureVenv();
  server = await startMlflowServer();
}, 900_000);
afterAll(async () => {
  await server?.stop();
});

type Points = [number, number][];

/** Scalars, histograms (step, count) and text tensors of one TensorBoard run, by tag. */
async function readTensorBoard(logDir: string) {
  return runPython<{ scalars: Record<string, Points>; histograms: Record<string, [number, number][]>; text: Record<string, string[]> }>(
    String.raw`
import sys, json
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator, STORE_EVERYTHING_SIZE_GUIDANCE
from tensorboard.util import tensor_util
acc = EventAccumulator(sys.argv[1], size_guidance=STORE_EVERYTHING_SIZE_GUIDANCE); acc.Reload()
tags = acc.Tags()
out = {'scalars': {}, 'histograms': {}, 'text': {}}
for t in tags['scalars']:
    out['scalars'][t] = [[e.step, e.value] for e in acc.Scalars(t)]
for t in tags['histograms']:
    out['histograms'][t] = [[e.step, e.histogram_value.num] for e in acc.Histograms(t)]
for t in tags['tensors']:
    if acc.SummaryMetadata(t).plugin_data.plugin_name == 'text':
        out['text'][t] = [tensor_util.make_ndarray(e.tensor_proto).item().decode() for e in acc.Tensors(t)]
print(json.dumps(out))`,
    { args: [logDir], timeoutMs: LONG },
  );
}

/** Metric histories, params, artifacts under `model/` and the registered versions of a run, via MLflow's client. */
async function readMlflow(runId: string, names: string[], model?: string) {
  return runPython<{
    status: string;
    params: Record<string, string>;
    metrics: Record<string, Points>;
    artifacts: string[];
    versions: { source: string; run_id: string }[];
  }>(
    String.raw`
import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
run = c.get_run(sys.argv[2])
metrics = {n: sorted([[m.step, m.value] for m in c.get_metric_history(sys.argv[2], n)]) for n in json.loads(sys.argv[3])}
artifacts = sorted(a.path for a in c.list_artifacts(sys.argv[2], 'model'))
versions = [{'source': v.source, 'run_id': v.run_id} for v in c.search_model_versions("name='%s'" % sys.argv[4])] if sys.argv[4] else []
print(json.dumps({'status': run.info.status, 'params': run.data.params, 'metrics': metrics, 'artifacts': artifacts, 'versions': versions}))`,
    { args: [server.url, runId, JSON.stringify(names), model ?? ''], timeoutMs: LONG },
  );
}

/** History rows (`global_step` is our step) of the offline W&B run under `dir`, read by `wandb leet inspect`. */
async function readWandb(dir: string): Promise<Record<string, unknown>[]> {
  const venv = await ensureVenv();
  const root = join(dir, 'wandb');
  const runDir = readdirSync(root).find((d) => d.startsWith('offline-run-'))!;
  const inspect = spawnSync(venv.bin('wandb'), ['leet', 'inspect', '--json', join(root, runDir)], { encoding: 'utf8', env: venv.env, timeout: LONG });
  expect(inspect.status, inspect.stderr).toBe(0);
  return inspect.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l.replace(/:(-?Infinity|NaN)([,}])/g, ':"$1"$2')) as { type: string; history?: { item: Record<string, unknown> } })
    .filter((r) => r.type === 'history')
    .map((r) => r.history!.item);
}

/** [step of the epoch's last batch, History value] for each epoch. */
const perEpoch = (values: number[], batchesPerEpoch: number): Points => values.map((v, e) => [(e + 1) * batchesPerEpoch - 1, v]);

describe('tfjs training read back by the real tools', () => {
  it(
    'the facade, all three backends: names, steps and values equal to History; histograms, summary, saved and registered model',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tfjs-oracle-'));
      const tracker = await createExperimentTracker({
        experiment: 'tfjs-oracle',
        runName: 'facade',
        ...allBackendsOptions(dir, server.url),
        experimentLoggingInterval: 1,
        selectiveLogging: false,
        logLevel: 'warn',
        env: {},
      });
      const model = tinyClassifier();
      const train = clusters(48);
      const validation = clusters(15);
      const modelName = `tfjs-oracle-${Date.now()}`;
      const callback = trackerCallback(tracker, { histogramFreq: 1, save: { dir: join(dir, 'saved'), registerAs: modelName }, logger: quiet });
      const history = await model.fit(train.x, train.y, {
        epochs: 5,
        batchSize: 16,
        validationData: [validation.x, validation.y],
        callbacks: [callback],
        verbose: 0,
      });
      await tracker.close();
      expect(callback.stats().errors).toBe(0);
      for (const e of tracker.stats().exporters) expect(e, e.name).toMatchObject({ failed: 0, dropped: 0 });
      const loss = perEpoch(history.history.loss as number[], 3);
      const valAcc = perEpoch(history.history.val_acc as number[], 3);

      // TensorBoard stores float32: History's values are float32 already, so they come back exactly.
      const tb = await readTensorBoard(tracker.runHandle().runIds.tensorboard!.logDir!);
      expect(tb.scalars['training/loss']).toEqual(loss);
      expect(tb.scalars['validation/accuracy']).toEqual(valAcc);
      expect(tb.scalars['training/accuracy']).toEqual(perEpoch(history.history.acc as number[], 3));
      expect(tb.scalars['training/learning_rate']!.map(([s, v]) => [s, v])).toEqual(loss.map(([s]) => [s, Math.fround(0.01)]));
      expect(tb.scalars['performance/examples_per_second']!.map(([s]) => s)).toEqual(loss.map(([s]) => s));
      expect(tb.histograms['model/weights/dense_dense1/kernel']).toEqual(loss.map(([s]) => [s, 4 * 8]));
      expect(tb.histograms['model/weights/dense_dense2/bias']).toEqual(loss.map(([s]) => [s, 3]));
      expect(tb.text['model/summary']![0]).toContain('Total params: 67');

      const ml = await readMlflow(tracker.runHandle().runIds.mlflow!.runId!, ['training/loss', 'validation/accuracy', 'training/epoch'], modelName);
      expect(ml.status).toBe('FINISHED');
      expect(ml.metrics['training/loss']).toEqual(loss);
      expect(ml.metrics['validation/accuracy']).toEqual(valAcc);
      expect(ml.metrics['training/epoch']).toEqual(loss.map(([s], e) => [s, e]));
      expect(ml.params).toMatchObject({
        optimizer: 'Adam',
        loss: 'categoricalCrossentropy',
        learning_rate: '0.01',
        epochs: '5',
        batch_size: '16',
        parameters: '67',
      });
      expect(ml.artifacts).toEqual(['model/model.json', 'model/weights.bin']);
      expect(ml.versions).toHaveLength(1);
      expect(ml.versions[0]!.run_id).toBe(tracker.runHandle().runIds.mlflow!.runId);
      expect(ml.versions[0]!.source).toMatch(/\/model$/);
      expect(callback.registered).toMatchObject({ name: modelName, version: '1' });

      const rows = await readWandb(dir);
      const wandbLoss = rows.filter((r) => 'training/loss' in r).map((r) => [r.global_step, r['training/loss']]);
      expect(wandbLoss).toEqual(loss);
      const wandbValAcc = rows.filter((r) => 'validation/accuracy' in r).map((r) => [r.global_step, r['validation/accuracy']]);
      expect(wandbValAcc).toEqual(valAcc);
      expect(rows.find((r) => 'model/weights/dense_dense1/kernel' in r)!['model/weights/dense_dense1/kernel']).toMatchObject({ _type: 'histogram' });
      tf.dispose([train.x, train.y, validation.x, validation.y]);
      model.dispose();
    },
    LONG,
  );

  it(
    "core's createTracker over the MLflow exporter: registered through save.registry",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tfjs-oracle-core-'));
      const exporter = createMlflowExporter({ trackingUri: server.url, experimentName: 'tfjs-oracle', logger: quiet, env: {} });
      const tracker = createTracker({ exporters: [exporter], experiment: 'tfjs-oracle', runName: 'core', logger: quiet, handleExit: false });
      const model = tinyClassifier({ seed: 3 });
      const { x, y } = clusters(32);
      const modelName = `tfjs-oracle-core-${Date.now()}`;
      const callback = trackerCallback(tracker, { save: { dir: join(dir, 'saved'), registerAs: modelName, registry: exporter.native() }, logger: quiet });
      const history = await model.fit(x, y, { epochs: 4, batchSize: 8, callbacks: [callback], verbose: 0 });
      await tracker.close();
      const ml = await readMlflow(exporter.runIds().runId!, ['training/loss', 'training/accuracy'], modelName);
      expect(ml.metrics['training/loss']).toEqual(perEpoch(history.history.loss as number[], 4));
      expect(ml.metrics['training/accuracy']).toEqual(perEpoch(history.history.acc as number[], 4));
      expect(ml.artifacts).toEqual(['model/model.json', 'model/weights.bin']);
      expect(ml.versions.map((v) => v.run_id)).toEqual([exporter.runIds().runId]);
      tf.dispose([x, y]);
      model.dispose();
    },
    LONG,
  );

  it(
    'a single backend tracker (createTensorBoardTracker), per batch: every batch at its step, epoch means beside',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tfjs-oracle-tb-'));
      const tracker = createTensorBoardTracker({ logDir: dir, experiment: 'tfjs', runName: 'batches', logger: quiet, handleExit: false });
      const model = tinyClassifier({ seed: 5 });
      const { x, y } = clusters(40);
      const batchLosses: number[] = [];
      const spy = new tf.CustomCallback({ onBatchEnd: async (_b, logs) => void batchLosses.push(logs!.loss!) });
      const history = await model.fit(x, y, {
        epochs: 3,
        batchSize: 10,
        callbacks: [trackerCallback(tracker, { updateFreq: 'batch', logger: quiet }), spy],
        verbose: 0,
      });
      await tracker.close();
      const tb = await readTensorBoard(tracker.runHandle().runIds.tensorboard!.logDir!);
      expect(tb.scalars['training/loss']).toEqual(batchLosses.map((v, s) => [s, Math.fround(v)]));
      expect(tb.scalars['training/epoch_loss']).toEqual(perEpoch(history.history.loss as number[], 4));
      tf.dispose([x, y]);
      model.dispose();
    },
    LONG,
  );
});
