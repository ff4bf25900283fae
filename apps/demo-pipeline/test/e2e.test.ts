import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMetricName, createLogger } from '@metrics/core';
import { ensureVenv, startMlflowServer, type MlflowServer } from '@metrics/oracle';
import { runPipeline, type PipelineResult } from '../src/pipeline.js';
import { registerModelVersion } from '../src/registry.js';
import {
  readMlflow,
  readMlflowChildren,
  readTensorBoard,
  readWandb,
  type MlflowChildRun,
  type MlflowView,
  type TensorBoardRun,
  type WandbRecord,
} from './readers.js';

const MODEL = 'demo-e2e-iris';
const EPOCHS = 4;
const SUMMARY_KEYS = ['evaluation/accuracy', 'evaluation/f1', 'evaluation/loss'];
let server: MlflowServer;
let result: PipelineResult;
let tb: TensorBoardRun;
let mlflow: MlflowView;
let wandbHistory: Record<string, unknown>[];
let wandbRecords: WandbRecord[];
let tbFolds: Record<string, TensorBoardRun>;
let mlflowFolds: MlflowChildRun[];

/** float32 in TensorBoard, float64 elsewhere: agree to float32 precision. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** `name → [[step, value]…]` from the W&B history rows (our step is `global_step`). */
function wandbSeries(name: string): [number, number][] {
  return wandbHistory.filter((row) => typeof row[name] === 'number').map((row) => [row.global_step as number, row[name] as number]);
}

beforeAll(async () => {
  await ensureVenv();
  server = await startMlflowServer();
  const out = mkdtempSync(join(tmpdir(), 'demo-e2e-'));
  result = await runPipeline({
    epochs: EPOCHS,
    seed: 11,
    out,
    backends: ['tensorboard', 'mlflow', 'wandb'],
    runName: 'e2e run',
    mlflowTrackingUri: server.url,
    registeredModelName: MODEL,
    systemMetricsIntervalMs: 20,
    logger: createLogger({ level: 'silent' }),
    env: {}, // no WANDB_API_KEY: W&B offline
  });
  const runs = await readTensorBoard(result.paths.tensorboard);
  // The run, and its cross-validation folds in sub-directories (`<run>/fold-<k>`).
  const tbRun = relative(result.paths.tensorboard, result.runIds.tensorboard!.logDir!);
  expect(Object.keys(runs).sort()).toEqual([tbRun, ...[0, 1, 2].map((k) => join(tbRun, `fold-${k}`))]);
  tb = runs[tbRun]!;
  tbFolds = Object.fromEntries([0, 1, 2].map((k) => [`fold-${k}`, runs[join(tbRun, `fold-${k}`)]!]));
  mlflowFolds = await readMlflowChildren(server.url, result.runIds.mlflow!.runId!);
  expect(result.registered, result.registrationError).toBeDefined();
  mlflow = await readMlflow(server.url, result.runIds.mlflow!.runId!, MODEL, result.registered!.version);
  const wb = await readWandb(result.paths.wandbRun!);
  expect(wb.code, wb.stderr).toBe(0);
  wandbRecords = wb.records;
  wandbHistory = wb.records.filter((r) => r.type === 'history').map((r) => (r.history as { item: Record<string, unknown> }).item);
}, 900_000);

afterAll(async () => {
  await server?.stop();
});

describe('the demo pipeline, read back with the real TensorBoard, MLflow and wandb', () => {
  it('trained for real and every backend received everything', () => {
    expect(result.backends).toEqual(['tensorboard', 'mlflow', 'wandb']);
    expect(result.unavailable).toEqual([]);
    expect(result.epochs).toHaveLength(EPOCHS);
    expect(result.epochs.at(-1)!.trainLoss).toBeLessThan(result.epochs[0]!.trainLoss);
    expect(result.evaluation.accuracy).toBeGreaterThan(0.7);
    for (const s of result.stats.exporters) {
      expect(s.failed, `${s.name}: ${s.lastError}`).toBe(0);
      expect(s.dropped, s.name).toBe(0);
      expect(s.exported, s.name).toBeGreaterThan(50);
    }
  });

  it('every metric name follows the conventions, in all three backends', () => {
    const wandbNames = new Set(wandbHistory.flatMap((row) => Object.keys(row)).filter((k) => !k.startsWith('_') && k !== 'global_step'));
    for (const name of [...Object.keys(tb.scalars), ...Object.keys(mlflow.metrics), ...wandbNames]) expect(checkMetricName(name), name).toBeUndefined();
    for (const expected of [
      'training/loss',
      'training/accuracy',
      'training/learning_rate',
      'validation/loss',
      'validation/accuracy',
      'evaluation/accuracy',
      'evaluation/precision',
      'evaluation/recall',
      'evaluation/f1',
      'evaluation/loss',
      'usage/inference_count',
      'usage/latency_ms',
    ]) {
      expect(Object.keys(tb.scalars), expected).toContain(expected);
      expect(Object.keys(mlflow.metrics), expected).toContain(expected);
      expect([...wandbNames], expected).toContain(expected);
    }
    // The profiler's system sampler ran during the pipeline.
    expect(Object.keys(mlflow.metrics)).toContain('performance/memory_rss_mb');
    expect(Object.keys(tb.scalars)).toContain('performance/cpu_usage_percent');
  });

  it('the values agree across the backends and with what the pipeline computed', () => {
    const expected: Record<string, [number, number][]> = {
      'training/loss': result.trainingPoints.map((p) => [p.step, p.loss]),
      'training/accuracy': result.trainingPoints.map((p) => [p.step, p.accuracy]),
      'training/learning_rate': result.trainingPoints.map((p) => [p.step, p.learningRate]),
      'validation/loss': result.epochs.map((e) => [e.step, e.validationLoss]),
      'validation/accuracy': result.epochs.map((e) => [e.step, e.validationAccuracy]),
      'evaluation/accuracy': [[result.lastStep, result.evaluation.accuracy]],
      'evaluation/f1': [[result.lastStep, result.evaluation.f1]],
      'usage/latency_ms': result.usage.latencyMs.map((v, i) => [result.lastStep + 1 + i, v]),
    };
    for (const [name, points] of Object.entries(expected)) {
      for (const [backend, series] of [
        ['tensorboard', tb.scalars[name]],
        ['mlflow', mlflow.metrics[name]],
        ['wandb', wandbSeries(name)],
      ] as const) {
        const got = series;
        // MLflow has no run summary: it is kept as tags `summary.<name>` (no extra history point).
        if (backend === 'mlflow' && SUMMARY_KEYS.includes(name)) {
          const tag = mlflow.tags[`summary.${name}`];
          expect(tag, `mlflow tag summary.${name}`).toBeDefined();
          expect(close(Number(tag), points.at(-1)![1]), `${name} summary tag: ${tag}`).toBe(true);
        }
        expect(
          got?.map(([s]) => s),
          `${backend} ${name} steps`,
        ).toEqual(points.map(([s]) => s));
        got!.forEach(([, v], i) => expect(close(v, points[i]![1]), `${backend} ${name}[${i}]: ${v} vs ${points[i]![1]}`).toBe(true));
      }
    }
  });

  it('TensorBoard has the weight histograms per epoch and the model summary (the confusion matrix is a text table)', () => {
    for (const layer of ['dense_0', 'dense_1', 'dense_2']) {
      const h = tb.histograms[`model/weights/${layer}`];
      expect(
        h?.map((e) => e.step),
        layer,
      ).toEqual(result.epochs.map((e) => e.step));
      expect(h![0]!.num).toBeGreaterThan(0);
    }
    // No second confusion-matrix image of the demo's own: logConfusionMatrix is the one place for it.
    expect(Object.keys(tb.images)).not.toContain('evaluation/confusion_matrix');
    const text = tb.tensors['model/summary'];
    expect(text?.plugin).toBe('text');
    expect(text!.values[0]).toContain(`**${result.parameters} parameters**`);
  });

  it('MLflow has the params, the model artifact and a registered model version of this run', () => {
    expect(mlflow.experiment).toBe('metrics-demo');
    expect(mlflow.run_name).toBe('e2e run');
    expect(mlflow.status).toBe('FINISHED');
    expect(mlflow.params).toMatchObject({ learning_rate: '0.01', batch_size: '16', epochs: String(EPOCHS), optimizer: 'adam', seed: '11' });
    expect(mlflow.artifacts).toContain('model/model.json');
    // One confusion-matrix picture, logConfusionMatrix's (labelled, with counts), none of the demo's own.
    const confusionPngs = mlflow.artifacts.filter((a) => /^images\/evaluation~confusion.*\.png$/.test(a));
    expect(confusionPngs).toHaveLength(1);
    expect(confusionPngs[0]).toMatch(/^images\/evaluation~confusion\+step\+\d+\+timestamp\+\d+\+[0-9a-f-]{36}\.png$/);
    expect(mlflow.model_version).toMatchObject({ name: MODEL, version: result.registered!.version, run_id: result.runIds.mlflow!.runId, status: 'READY' });
    const saved = JSON.parse(readFileSync(result.paths.model, 'utf8')) as { sizes: number[] };
    expect(saved.sizes).toEqual([4, 64, 32, 3]);
  });

  it('the register stage crowns the best version champion; training logged the dataset input; registry calls became usage metrics', () => {
    // The only version of this model so far is the champion, tagged with its evaluation accuracy.
    expect(result.registered!.champion).toBe(result.registered!.version);
    expect(mlflow.champion).toEqual({ version: result.registered!.version, tags: { evaluation_accuracy: String(result.evaluation.accuracy) } });
    expect(mlflow.model_version.aliases).toEqual(['champion']);
    expect(mlflow.datasets).toHaveLength(1);
    expect(mlflow.datasets[0]).toMatchObject({
      name: 'iris',
      source_type: 'http',
      source: { url: 'https://archive.ics.uci.edu/dataset/53/iris' },
      profile: { num_rows: result.dataset.train, num_features: 4, num_classes: 3 },
      tags: { 'mlflow.data.context': 'training' },
    });
    expect(mlflow.datasets[0]!.digest).toMatch(/^[0-9a-f]{8}$/);
    expect((mlflow.datasets[0]!.schema as { mlflow_colspec: { name: string }[] }).mlflow_colspec.map((c) => c.name)).toEqual([
      'sepal_length',
      'sepal_width',
      'petal_length',
      'petal_width',
      'species',
    ]);
    // register, tag, search, alias: four registry calls, one registration, no errors.
    expect(mlflow.metrics['usage/model_registrations']?.at(-1)?.[1]).toBe(1);
    expect(mlflow.metrics['usage/registry_operations']?.at(-1)?.[1]).toBe(4);
    expect(mlflow.metrics['usage/registry_errors']?.at(-1)?.[1]).toBe(0);
    expect(mlflow.metrics['model/registered_version']?.at(-1)?.[1]).toBe(Number(result.registered!.version));
    // TensorBoard describes the dataset as text.
    expect(tb.tensors.datasets?.values[0]).toMatch(/\| name \| iris \|/);
  });

  it('the W&B offline run has the config, the summary and a clean exit', () => {
    expect(result.wandb?.mode).toBe('offline');
    expect(existsSync(result.paths.wandbRun!)).toBe(true);
    const types = wandbRecords.map((r) => r.type);
    expect(types).toContain('config');
    expect(types.at(-1)).toBe('final');
    const exit = wandbRecords.find((r) => r.type === 'exit')!.exit as { exit_code?: number };
    expect(exit.exit_code ?? 0).toBe(0);
    const summaries = wandbRecords.filter((r) => r.type === 'summary');
    expect(JSON.stringify(summaries)).toContain('evaluation/accuracy');
    // The histograms reached W&B too.
    expect(wandbHistory.some((row) => (row['model/weights/dense_0'] as { _type?: string } | undefined)?._type === 'histogram')).toBe(true);
    // The confusion matrix reached W&B as logConfusionMatrix's chart table, with no image beside it.
    expect(wandbHistory.some((row) => row['evaluation/confusion_table'] !== undefined)).toBe(true);
    expect(wandbHistory.some((row) => row['evaluation/confusion_matrix'] !== undefined)).toBe(false);
  });

  it('W&B artifacts: the training data is a dataset the run used, the model files an artifact of type model', () => {
    type Entry = { path: string; digest: string; size: string; local_path: string };
    const artifacts = wandbRecords.filter((r) => r.type === 'artifact').map((r) => r.artifact as Record<string, unknown> & { manifest: { contents: Entry[] } });
    expect(artifacts.map((a) => [a.name, a.type, a.use_after_commit ?? false])).toEqual([
      ['iris-train', 'dataset', true],
      // logDataset's description: a dataset artifact referring to its source, used by the run.
      ['iris', 'dataset', true],
      ['iris-mlp', 'model', false],
    ]);
    const described = artifacts[1]!.manifest.contents;
    expect(described.map((e) => e.path)).toEqual(['iris']);
    const model = artifacts[2]!.manifest.contents;
    const bytes = readFileSync(result.paths.model);
    expect(model.map((e) => [e.path, e.digest, Number(e.size)])).toEqual([
      ['model/model.json', createHash('md5').update(bytes).digest('base64'), bytes.length],
    ]);
    // wandb sync uploads the staged copy inside the run directory.
    expect(readFileSync(model[0]!.local_path)).toEqual(bytes);
    const data = artifacts[0]!.manifest.contents;
    expect(data.map((e) => e.path)).toEqual(['data/iris-train.csv']);
    expect(readFileSync(data[0]!.local_path, 'utf8').split('\n')[0]).toBe('sepal_length,sepal_width,petal_length,petal_width,class');
  });

  it('cross-validation: a nested run per fold, in MLflow (children of the run), TensorBoard (sub-directories) and W&B (the run group)', async () => {
    const cv = result.crossValidation!;
    expect(cv.folds.map((f) => f.name)).toEqual(['fold-0', 'fold-1', 'fold-2']);
    // MLflow: search_runs by the parent's id finds the three folds, finished, with their metric histories.
    expect(mlflowFolds.map((f) => [f.name, f.status])).toEqual(cv.folds.map((f) => [f.name, 'FINISHED']));
    expect(mlflowFolds.map((f) => f.id)).toEqual(cv.folds.map((f) => f.runIds.mlflow!.runId));
    for (const [k, fold] of mlflowFolds.entries()) {
      expect(fold.metrics['training/loss']).toHaveLength(EPOCHS);
      const accuracy = fold.metrics['validation/accuracy']!;
      expect(accuracy).toHaveLength(EPOCHS);
      expect(close(accuracy.at(-1)![1], cv.folds[k]!.accuracy)).toBe(true);
      // TensorBoard: the same fold's points in `<run>/fold-<k>`.
      expect(tbFolds[fold.name]!.scalars['validation/accuracy']!.map(([s]) => s)).toEqual(accuracy.map(([s]) => s));
    }
    // W&B: an offline run per fold, in the run's group (named after it), job type `fold`.
    for (const fold of cv.folds) {
      const runId = fold.runIds.wandb!.runId!;
      const runDir = dirname(result.paths.wandbRun!);
      const dirs = readdirSync(runDir).filter((d) => d.endsWith(`-${runId}`));
      expect(dirs, fold.name).toHaveLength(1);
      const wb = await readWandb(join(runDir, dirs[0]!));
      expect(wb.code, wb.stderr).toBe(0);
      const run = wb.records.find((r) => r.type === 'run')!.run as { display_name?: string; run_group?: string; job_type?: string };
      expect(run).toMatchObject({ display_name: fold.name, run_group: result.runName, job_type: 'fold' });
      expect(wb.records.filter((r) => r.type === 'history').length).toBeGreaterThanOrEqual(EPOCHS);
    }
  });

  it('the evaluation kinds: confusion matrix, one PR curve per class, the predictions table and tags, in every backend', () => {
    const classes = ['setosa', 'versicolor', 'virginica'];
    const rows = result.evaluation.confusion.flat().reduce((a, b) => a + b, 0);
    // TensorBoard: Markdown tables, and the pr_curves plugin's [6, thresholds] tensors.
    expect(tb.tensors['evaluation/confusion']?.plugin).toBe('text');
    expect(tb.tensors['evaluation/predictions']?.values[0]).toMatch(/^\| row \| actual \| predicted \| confidence \|/);
    for (const c of classes) expect(tb.tensors[`evaluation/pr_curve/${c}`]).toEqual({ plugin: 'pr_curves', values: [{ shape: [6, 51] }] });
    expect(tb.tensors.tags?.values.at(-1)).toContain('| stage | evaluated |');
    // MLflow: mlflow.load_table reads each table; tags set during the run.
    const confusion = mlflow.tables[`tables/evaluation/confusion/step_${result.lastStep}.json`]!;
    expect(confusion.columns).toEqual(['actual', 'predicted', 'count']);
    expect(confusion.data.map((r) => r[2] as number).reduce((a, b) => a + b, 0)).toBe(rows);
    expect(mlflow.tables[`tables/evaluation/predictions/step_${result.lastStep}.json`]!.data).toHaveLength(rows);
    for (const c of classes) expect(mlflow.tables[`tables/evaluation/pr_curve/${c}/step_${result.lastStep}.json`]!.data).toHaveLength(51);
    expect(mlflow.tags).toMatchObject({ stage: 'evaluated', dataset: 'iris' });
    // W&B: the chart tables wandb.plot logs, the predictions table, the run's tags.
    const tableFile = (key: string) => wandbHistory.find((row) => row[key] !== undefined)?.[key] as { _type: string; nrows: number } | undefined;
    expect(tableFile('evaluation/confusion_table')).toMatchObject({ _type: 'table-file', nrows: classes.length ** 2 });
    expect(tableFile('evaluation/predictions')).toMatchObject({ _type: 'table-file', nrows: rows });
    for (const c of classes) expect(tableFile(`evaluation/pr_curve/${c}_table`)).toMatchObject({ _type: 'table-file', nrows: 51 });
    const runRecords = wandbRecords.filter((r) => r.type === 'run').map((r) => r.run as { tags?: string[] });
    expect(runRecords.at(-1)!.tags).toEqual(expect.arrayContaining(['stage:evaluated', 'dataset:iris']));
  });

  it('the REST fallback of the registry adds the next version of the same model', async () => {
    const runId = result.runIds.mlflow!.runId!;
    const next = await registerModelVersion({ trackingUri: server.url, runId, name: MODEL, artifactPath: 'model' });
    expect(next).toMatchObject({ name: MODEL, version: String(Number(result.registered!.version) + 1) });
    expect(next.source.endsWith('/model')).toBe(true);
    const view = await readMlflow(server.url, runId, MODEL, next.version);
    expect(view.model_version).toMatchObject({ version: next.version, run_id: runId, source: next.source });
  });
});
