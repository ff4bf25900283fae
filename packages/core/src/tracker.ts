import { createLegacyMigrator } from './conventions/legacy.js';
import { DEFAULT_NAME_RULES, type NameRules } from './conventions/names.js';
import { registerForExit, unregisterForExit } from './exit.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import { Pipeline, type BatchOptions, type FullQueuePolicy } from './pipeline.js';
import type { RetryPolicy } from './retry.js';
import {
  SPECIFICATION_VERSION,
  type CloseReport,
  type EncodedImage,
  type ExporterV1,
  type HistogramRecord,
  type HyperparamValue,
  type LogOptions,
  type PipelineStats,
  type RawImage,
  type RunHandle,
  type RunInfo,
  type RunOutcome,
  type Tracker,
} from './spec.js';
import { checkStep, checkValue, createNameResolver, MAX_STEP, type NonFinitePolicy, type ValidationPolicy } from './validation.js';
import { toJsonSafe } from './json-safe.js';
import { bucketsProblem } from './histogram-buckets.js';
import { InvalidMetricValueError } from './errors.js';
import { redactKnown, scrubSecrets } from './secrets.js';

export interface TrackerOptions {
  exporters: readonly ExporterV1[];
  /** Experiment / project. Default: `METRICS_EXPERIMENT` or 'default'. */
  experiment?: string;
  /** Run name. Default: `METRICS_RUN_NAME` or `run-<local timestamp>`. */
  runName?: string;
  group?: string;
  tags?: Record<string, string>;
  /** What to do with a name or value that breaks the conventions. Default 'warn'. */
  validation?: ValidationPolicy;
  /** NaN/±Infinity: 'keep' (the formats carry them; default) or 'skip'. */
  nonFinite?: NonFinitePolicy;
  nameRules?: NameRules;
  /** Rewrite legacy flat names (`loss` → `training/loss`) with a warning once. Default true. */
  migrateLegacyNames?: boolean | Readonly<Record<string, string>>;
  batch?: Partial<BatchOptions>;
  retry?: Partial<RetryPolicy>;
  /**
   * Full queue: 'keep' (default; nothing lost: a local writer writes inline, one bounded batch per
   * full-queue event, any other backend spills to the spool synchronously), 'spill' (to disk, also past
   * the retry deadline) or 'drop' (counted); one policy or one per exporter name.
   */
  fullQueue?: FullQueuePolicy | Readonly<Record<string, FullQueuePolicy>>;
  /** Spool directory (policies 'keep' and 'spill'). Default `metrics-spool` in the cwd. */
  spillDir?: string;
  logger?: Logger;
  logLevel?: LogLevel;
  /** Close on beforeExit/SIGINT/SIGTERM. Default true. */
  handleExit?: boolean;
  /** Bound on close() (and exit-time flushing), ms. Default 10 000. */
  closeTimeoutMs?: number;
  /** A saved handle: resume the same runs at the saved step. */
  resume?: RunHandle;
}

function defaultRunName(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `run-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Builds a tracker: validation + the shared pipeline + the given exporters. */
export function createTracker(options: TrackerOptions): Tracker {
  return new PipelineTracker(options);
}

class PipelineTracker implements Tracker {
  private readonly pipeline: Pipeline;
  private readonly logger: Logger;
  private readonly resolve: (name: string) => string | undefined;
  private readonly policy: ValidationPolicy;
  private readonly nonFinite: NonFinitePolicy;
  private readonly run: RunInfo;
  private readonly closeTimeoutMs: number;
  private readonly handleExit: boolean;
  private nextStep: number;
  private closing: Promise<CloseReport> | undefined;

  constructor(options: TrackerOptions) {
    this.logger = options.logger ?? createLogger({ level: options.logLevel });
    this.policy = options.validation ?? 'warn';
    this.nonFinite = options.nonFinite ?? 'keep';
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    const resume = options.resume;
    this.nextStep = resume ? resume.step : 0;
    this.run = {
      experiment: options.experiment ?? resume?.experiment ?? process.env.METRICS_EXPERIMENT ?? 'default',
      runName: options.runName ?? resume?.runName ?? process.env.METRICS_RUN_NAME ?? defaultRunName(),
      group: options.group,
      tags: { ...options.tags },
      startTime: Date.now(),
    };
    prepareExporters(options.exporters, this.run, resume?.runIds, this.logger);
    const migrate = options.migrateLegacyNames ?? true;
    const migrator = migrate ? createLegacyMigrator({ map: migrate === true ? undefined : migrate, logger: this.logger }) : undefined;
    const resolver = createNameResolver({
      policy: this.policy,
      rules: options.nameRules ?? DEFAULT_NAME_RULES,
      logger: this.logger,
      rewrite: migrator?.migrateName,
      onSkip: () => this.pipeline.skipped++,
    });
    this.resolve = resolver.resolve;
    this.pipeline = new Pipeline({
      exporters: options.exporters,
      run: this.run,
      batch: options.batch,
      retry: options.retry,
      fullQueue: options.fullQueue,
      spillDir: options.spillDir,
      logger: this.logger,
      resumeIds: resume?.runIds,
    });
    this.handleExit = options.handleExit ?? true;
    if (this.handleExit) registerForExit(this, this.closeTimeoutMs);
  }

  get step(): number {
    return this.nextStep;
  }

  private stepFor(options: LogOptions | undefined, metric?: string): number | undefined {
    const given = options?.step;
    if (given === undefined) {
      if (this.nextStep <= MAX_STEP) return this.nextStep;
      this.logger.warnOnce('step-counter-max', `The step counter reached 2^53−1; later step-less calls are logged at step ${MAX_STEP}.`);
      return MAX_STEP;
    }
    return checkStep(given, this.policy, this.logger, metric);
  }

  /** Name and step for a media call; a bad step is counted as a skip (a bad name is counted by the resolver). */
  private target(name: string, options: LogOptions | undefined): { name: string; step: number } | undefined {
    const resolved = this.resolve(name);
    if (resolved === undefined) return undefined;
    const step = this.stepFor(options, resolved);
    if (step === undefined) {
      this.pipeline.skipped++;
      return undefined;
    }
    return { name: resolved, step };
  }

  private usable(): boolean {
    if (!this.pipeline.isClosed) return true;
    this.logger.warnOnce('closed', 'A log call came after close(); it is ignored.');
    this.pipeline.skipped++;
    return false;
  }

  log(values: Readonly<Record<string, number>>, options?: LogOptions): void {
    if (!this.usable()) return;
    if (values === null || typeof values !== 'object') {
      if (this.policy === 'strict') throw new InvalidMetricValueError('(values)', 'log() takes an object of { name: number }', values);
      this.logger.warnOnce('log-arg', 'log() takes an object of { name: number }; the call is ignored.');
      this.pipeline.skipped++;
      return;
    }
    const step = this.stepFor(options);
    if (step === undefined) {
      this.pipeline.skipped++;
      return;
    }
    const wallTime = options?.wallTime ?? Date.now();
    const pipeline = this.pipeline;
    for (const key in values) {
      const value = values[key];
      const name = this.resolve(key);
      if (name === undefined) continue;
      // `value - value` is 0 only for finite numbers: one cheap test keeps the common case fast.
      if ((typeof value !== 'number' || value - value !== 0) && !checkValue(name, value, this.policy, this.nonFinite, this.logger)) {
        pipeline.skipped++;
        continue;
      }
      pipeline.push({ kind: 'scalar', name, value, step, wallTime });
    }
    this.nextStep = step + 1;
  }

  logHyperparams(params: Readonly<Record<string, HyperparamValue>>, options?: { metrics?: string[] }): void {
    if (!this.usable()) return;
    const clean: Record<string, HyperparamValue> = {};
    for (const [k, v] of Object.entries(params ?? {})) {
      if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Number.isNaN(v))) clean[k] = v;
      else if (this.policy === 'strict') throw new InvalidMetricValueError(k, 'a hyperparameter must be a string, number or boolean', v);
      else {
        this.logger.warnOnce(`hparam:${k}`, `Hyperparameter "${k}" is not a string, number or boolean; logged as its JSON text.`);
        clean[k] = safeJson(v);
      }
    }
    const metrics: string[] = [];
    for (const m of options?.metrics ?? []) {
      const name = this.resolve(m);
      if (name !== undefined) metrics.push(name);
    }
    this.pipeline.push({ kind: 'hparams', wallTime: Date.now(), params: scrubSecrets(clean), metrics });
  }

  logHistogram(name: string, values: ArrayLike<number> | NonNullable<HistogramRecord['buckets']>, options?: LogOptions): void {
    if (!this.usable()) return;
    const to = this.target(name, options);
    if (to === undefined) return;
    const wallTime = options?.wallTime ?? Date.now();
    if (values === null || typeof values !== 'object') return this.skip('histogram', name, 'values must be an array of numbers or pre-computed buckets');
    if ('bucketLimits' in values) {
      const problem = bucketsProblem(values);
      if (problem) return this.skip('histogram', name, problem);
      this.pipeline.push({ kind: 'histogram', name: to.name, step: to.step, wallTime, buckets: values });
      return;
    }
    const arr = values as ArrayLike<unknown>;
    if (typeof arr.length !== 'number' || !(arr.length >= 0)) return this.skip('histogram', name, 'values must be an array of numbers or pre-computed buckets');
    // Copy: the caller may reuse its buffer (a tensor's data) before the exporter runs.
    const copy = new Float64Array(arr.length);
    if (arr instanceof Float64Array || arr instanceof Float32Array) copy.set(arr);
    else
      for (let i = 0; i < copy.length; i++) {
        const v = arr[i];
        if (typeof v !== 'number') return this.skip('histogram', name, 'values must be numbers');
        copy[i] = v;
      }
    this.pipeline.push({ kind: 'histogram', name: to.name, step: to.step, wallTime, values: copy });
  }

  logImage(name: string, image: RawImage | EncodedImage, options?: LogOptions & { caption?: string }): void {
    if (!this.usable()) return;
    const to = this.target(name, options);
    if (to === undefined) return;
    const problem = imageProblem(image);
    if (problem) return this.skip('image', name, problem);
    const caption = typeof options?.caption === 'string' ? options.caption : undefined;
    this.pipeline.push({ kind: 'image', name: to.name, step: to.step, wallTime: options?.wallTime ?? Date.now(), image, caption });
  }

  logText(name: string, text: string, options?: LogOptions): void {
    if (!this.usable()) return;
    const to = this.target(name, options);
    if (to === undefined) return;
    if (typeof text !== 'string') return this.skip('text', name, 'text must be a string');
    this.pipeline.push({ kind: 'text', name: to.name, step: to.step, wallTime: options?.wallTime ?? Date.now(), text: redactKnown(text) });
  }

  logConfig(config: Readonly<Record<string, unknown>>): void {
    if (!this.usable()) return;
    if (config === null || typeof config !== 'object') return this.skip('config', '(config)', 'config must be an object');
    this.pipeline.push({ kind: 'config', wallTime: Date.now(), config: scrubSecrets(toJsonSafe(config) as Record<string, unknown>) });
  }

  setSummary(values: Readonly<Record<string, number | string | boolean>>): void {
    if (!this.usable()) return;
    const out: Record<string, number | string | boolean> = {};
    for (const [k, v] of Object.entries(values ?? {})) {
      const name = this.resolve(k);
      if (name === undefined) continue;
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[name] = v;
      else if (this.policy === 'strict') throw new InvalidMetricValueError(name, 'a summary value must be a number, string or boolean', v);
      else {
        this.logger.warnOnce(`summary:${name}`, `Summary value "${name}" is not a number, string or boolean; logged as its JSON text.`);
        out[name] = safeJson(v);
      }
    }
    this.pipeline.push({ kind: 'summary', wallTime: Date.now(), values: scrubSecrets(out) });
  }

  logArtifact(localPath: string, options?: { artifactPath?: string; type?: string }): void {
    if (!this.usable()) return;
    if (typeof localPath !== 'string' || localPath.length === 0 || localPath.includes('\0'))
      return this.skip('artifact', String(localPath) || '(artifact)', 'an artifact needs a local file or directory path');
    this.pipeline.push({ kind: 'artifact', wallTime: Date.now(), localPath, artifactPath: options?.artifactPath ?? '', type: options?.type });
  }

  private skip(kind: string, name: string, rule: string): void {
    if (this.policy === 'strict') throw new InvalidMetricValueError(String(name), `${kind}: ${rule}`, undefined);
    this.logger.warnOnce(`${kind}:${name}:${rule}`, `Skipping ${kind} "${name}": ${rule}.`);
    this.pipeline.skipped++;
  }

  flush(options?: { timeoutMs?: number }): Promise<void> {
    return this.pipeline.flush(options?.timeoutMs);
  }

  close(outcome: RunOutcome = { status: 'finished' }, options?: { timeoutMs?: number }): Promise<CloseReport> {
    this.closing ??= (async () => {
      if (this.handleExit) unregisterForExit(this);
      const backends = await this.pipeline.shutdown(outcome, options?.timeoutMs ?? this.closeTimeoutMs);
      return { ok: backends.every((b) => b.status === 'ok'), status: outcome.status, backends };
    })();
    return this.closing;
  }

  fail(error?: unknown, options?: { timeoutMs?: number }): Promise<CloseReport> {
    return this.close({ status: 'failed', error }, options);
  }

  stats(): PipelineStats {
    return this.pipeline.stats();
  }

  runHandle(): RunHandle {
    return {
      specificationVersion: SPECIFICATION_VERSION,
      experiment: this.run.experiment,
      runName: this.run.runName,
      step: this.nextStep,
      runIds: this.pipeline.runIds(),
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Lets each exporter fix its locally known ids now, so `runHandle()` has them before the first export. */
function prepareExporters(exporters: readonly ExporterV1[], run: RunInfo, resumeIds: RunHandle['runIds'] | undefined, logger: Logger): void {
  for (const exporter of exporters) {
    if (typeof exporter.prepare !== 'function') continue;
    const own = resumeIds?.[exporter.name];
    try {
      exporter.prepare(own ? { ...run, resume: own } : run);
    } catch (error) {
      // A contract breach by a custom exporter; `start` still runs and reports its own failures.
      logger.warnOnce(`prepare:${exporter.name}`, `${exporter.name}: prepare() threw (${error instanceof Error ? error.message : String(error)}); its run ids are known only once it starts.`);
    }
  }
}

function imageProblem(image: RawImage | EncodedImage): string | undefined {
  if (!image || typeof image !== 'object') return 'an image must be an object';
  if ('bytes' in image) {
    if (!(image.bytes instanceof Uint8Array) || image.bytes.length === 0) return 'an encoded image needs non-empty bytes';
    if (image.mimeType !== 'image/png' && image.mimeType !== 'image/jpeg') return 'mimeType must be image/png or image/jpeg';
    return undefined;
  }
  const { width, height, channels, data } = image as RawImage;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) return 'width and height must be positive integers';
  if (channels !== 1 && channels !== 3 && channels !== 4) return 'channels must be 1, 3 or 4';
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray) || data.length !== width * height * channels)
    return `data must be ${width}×${height}×${channels} bytes`;
  return undefined;
}

function safeJson(value: unknown): string {
  const text = JSON.stringify(toJsonSafe(value));
  return text ?? String(value);
}

