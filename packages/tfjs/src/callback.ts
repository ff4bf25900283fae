import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger, type Logger } from '@metrics/core';
import { Callback, type LayersModel, type Tensor } from '@tensorflow/tfjs';
import { fileSystemHandler, MODEL_FILES } from './file-io.js';
import { readWeights } from './histograms.js';
import { describeModel, learningRateOf } from './model-info.js';
import { metricName } from './names.js';
import { checkArguments, type TrackerCallbackOptions } from './options.js';
import { mlflowRegistryOf, type TrackerLike } from './tracker-like.js';

/** tfjs's logs: numbers, or scalar tensors it disposes itself after the callbacks ran. */
type Logs = Record<string, number | Tensor>;

/** Keys of a batch's logs that are bookkeeping, not metrics. */
const BOOKKEEPING = new Set(['batch', 'size']);

export interface TrackerCallbackStats {
  /** Points logged with `log()` (one call each). */
  batchPoints: number;
  epochPoints: number;
  histograms: number;
  /** Hooks that failed (reported once each; training went on). */
  errors: number;
}

/** Trackers whose run already has a model description (a second fit must not log hyperparameters again). */
const described = new WeakSet<object>();

/** The values of a logs object, read without changing it (tfjs's own `History` reads the same tensors later). */
async function readLogs(logs: Logs | undefined): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (!logs) return out;
  const keys: string[] = [];
  const reads: Promise<ArrayLike<number>>[] = [];
  for (const key in logs) {
    if (BOOKKEEPING.has(key)) continue;
    const value = logs[key];
    if (typeof value === 'number') out[key] = value;
    else if (value && typeof (value as Tensor).data === 'function') {
      keys.push(key);
      reads.push((value as Tensor).data() as Promise<ArrayLike<number>>);
    }
  }
  const values = await Promise.all(reads);
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i]![0]!;
  return out;
}

/**
 * A `model.fit` / `model.fitDataset` callback that logs to any tracker. Every hook is guarded: a logging
 * failure is reported once and counted (`stats().errors`), never thrown into the training loop.
 */
export class TrackerCallback extends Callback {
  private readonly tracker: TrackerLike;
  private readonly options: TrackerCallbackOptions;
  private readonly logger: Logger;
  private readonly every: number | undefined;
  private readonly reported = new Set<string>();
  /** logs key → name, per mode: worked out once (a fit has a handful of keys, each seen every batch). */
  private readonly names = new Map<string, string>();
  private readonly counts: TrackerCallbackStats = { batchPoints: 0, epochPoints: 0, histograms: 0, errors: 0 };
  private baseStep = 0;
  private batches = 0;
  private epochStart = 0;
  private epochExamples = 0;
  /** The MLflow model version of the last fit, when `save.registerAs` registered one. */
  registered: { name: string; version: string; source: string } | undefined;

  constructor(tracker: TrackerLike, options: TrackerCallbackOptions = {}) {
    super();
    const checked = checkArguments('trackerCallback(tracker, options)', tracker, options);
    this.tracker = tracker;
    this.options = checked;
    this.logger = checked.logger ?? createLogger();
    const freq = checked.updateFreq ?? 'epoch';
    this.every = freq === 'epoch' ? undefined : freq === 'batch' ? 1 : freq;
    // tfjs wraps a list whose first entry is a plain `{ onEpochEnd … }` object into its own callbacks, calling
    // each hook detached from its object: bound hooks keep working then.
    const hooks = this as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
    for (const hook of ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd']) hooks[hook] = hooks[hook]!.bind(this);
  }

  /** What was logged and how many hooks failed. */
  stats(): TrackerCallbackStats {
    return { ...this.counts };
  }

  /** Undefined only when tfjs did not hand this callback the model (see the constructor) and `options.model` is unset. */
  private get trained(): LayersModel | undefined {
    return this.options.model ?? this.model;
  }

  private modelOrThrow(): LayersModel {
    const model = this.trained;
    if (!model) throw new Error('tfjs did not pass the model to this callback (put it first in `callbacks`, or pass options.model)');
    return model;
  }

  private learningRate(): number | undefined {
    const model = this.trained;
    return this.options.learningRate === false || !model ? undefined : learningRateOf(model);
  }

  private nameOf(key: string, epoch: boolean): string {
    const cacheKey = epoch ? `e:${key}` : `b:${key}`;
    let name = this.names.get(cacheKey);
    if (name === undefined) {
      name = metricName(key, epoch && this.every ? 'epoch_' : '');
      this.names.set(cacheKey, name);
    }
    return name;
  }

  /** Whether the last batch's values were logged (per-batch mode, on an N-th batch). */
  private batchLogged(): boolean {
    return this.every !== undefined && this.batches > 0 && this.batches % this.every === 0;
  }

  private stepOfLastBatch(): number {
    return this.baseStep + Math.max(0, this.batches - 1);
  }

  private async guard(hook: string, work: () => void | Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.counts.errors++;
      if (this.reported.has(hook)) return;
      this.reported.add(hook);
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`@metrics/tfjs: ${hook} failed (${message}); training goes on, later failures are only counted.`);
    }
  }

  override async onTrainBegin(): Promise<void> {
    this.batches = 0;
    this.baseStep = this.options.initialStep ?? this.tracker.step;
    this.warnAboutAveraging();
    if (this.options.logModel === false || described.has(this.tracker)) return;
    await this.guard('logging the model description', () => {
      described.add(this.tracker);
      const info = describeModel(this.modelOrThrow(), (this.params ?? {}) as Record<string, unknown>);
      const metrics = ((this.params?.metrics as string[] | undefined) ?? ['loss']).map((k) => metricName(k, this.every ? 'epoch_' : ''));
      this.tracker.logHyperparams(info.hyperparams, { metrics });
      this.tracker.logConfig(info.config);
      this.tracker.logText('model/summary', `\`\`\`\n${info.summary}\n\`\`\``, { step: this.baseStep });
      this.tracker.setSummary({ 'model/parameter_count': info.parameterCount });
    });
  }

  /** The facade averages `experimentLoggingInterval` steps into one point: with epochs a few steps apart, that merges epochs. */
  private warnAboutAveraging(): void {
    const interval = (this.tracker as { config?: { experimentLoggingInterval?: unknown } }).config?.experimentLoggingInterval;
    if (typeof interval === 'number' && interval > 1 && !this.reported.has('interval')) {
      this.reported.add('interval');
      this.logger.warn(
        `@metrics/tfjs: the tracker averages every ${interval} steps into one point (experimentLoggingInterval), and steps here are batches; ` +
          `set experimentLoggingInterval: 1 to keep every epoch's (and batch's) values as tfjs reports them.`,
      );
    }
  }

  override async onEpochBegin(): Promise<void> {
    this.epochStart = performance.now();
    this.epochExamples = 0;
  }

  override async onBatchEnd(_batch: number, logs?: Logs): Promise<void> {
    this.batches++;
    const size = logs?.size;
    if (typeof size === 'number') this.epochExamples += size;
    if (!this.batchLogged()) return;
    // Read now: tfjs disposes the batch's scalars as soon as the callbacks have run.
    await this.guard('logging batch metrics', async () => {
      const values = await readLogs(logs);
      const named: Record<string, number> = {};
      for (const key in values) named[this.nameOf(key, false)] = values[key]!;
      const lr = this.learningRate();
      if (lr !== undefined) named['training/learning_rate'] = lr;
      this.tracker.log(named, { step: this.stepOfLastBatch() });
      this.counts.batchPoints++;
    });
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const seconds = (performance.now() - this.epochStart) / 1000;
    const step = this.stepOfLastBatch();
    await this.guard('logging epoch metrics', async () => {
      const values = await readLogs(logs);
      const named: Record<string, number> = { 'training/epoch': epoch };
      for (const key in values) named[this.nameOf(key, true)] = values[key]!;
      // Not twice at one step: the epoch's last batch may have logged it already.
      const lr = this.batchLogged() ? undefined : this.learningRate();
      if (lr !== undefined) named['training/learning_rate'] = lr;
      if (this.options.performance !== false) {
        named['performance/epoch_time_ms'] = seconds * 1000;
        if (this.epochExamples > 0 && seconds > 0) named['performance/examples_per_second'] = this.epochExamples / seconds;
      }
      this.tracker.log(named, { step });
      this.counts.epochPoints++;
    });
    const freq = this.options.histogramFreq ?? 0;
    if (freq > 0 && (epoch + 1) % freq === 0)
      await this.guard('logging weight histograms', async () => {
        for (const { name, values } of await readWeights(this.modelOrThrow())) {
          this.tracker.logHistogram(name, values, { step });
          this.counts.histograms++;
        }
      });
  }

  override async onTrainEnd(): Promise<void> {
    const save = this.options.save;
    if (!save) return;
    const artifactPath = save.artifactPath ?? 'model';
    let saved = false;
    await this.guard('saving the model', async () => {
      await this.modelOrThrow().save(fileSystemHandler(save.dir));
      // File by file, so the run's `<artifactPath>/` is the model directory itself (what a registered version points at).
      for (const file of MODEL_FILES) this.tracker.logArtifact(join(save.dir, file), { artifactPath, type: 'model' });
      saved = true;
    });
    if (!saved || save.registerAs === undefined) return;
    await this.guard('registering the model', async () => {
      const registry = save.registry ?? mlflowRegistryOf(this.tracker);
      if (!registry) throw new Error('the tracker has no MLflow backend; pass save.registry (an MLflow exporter’s native())');
      // The run and its artifact must be on the server before a version can point at them.
      await this.tracker.flush();
      this.registered = await registry.registerModel(save.registerAs!, artifactPath, { description: save.description });
    });
  }
}

/**
 * A callback for `model.fit(x, y, { callbacks: [trackerCallback(tracker)] })` (and `fitDataset`) that logs
 * loss and metrics under the conventional names, the learning rate, epoch time and throughput, weight
 * histograms, the model's description, and optionally saves the model as an artifact.
 */
export function trackerCallback(tracker: TrackerLike, options: TrackerCallbackOptions = {}): TrackerCallback {
  return new TrackerCallback(tracker, options);
}
