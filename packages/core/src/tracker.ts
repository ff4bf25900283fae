import { createLegacyMigrator } from './conventions/legacy.js';
import { DEFAULT_NAME_RULES, type NameRules } from './conventions/names.js';
import { registerForExit, unregisterForExit } from './exit.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import { Pipeline, type BatchOptions, type FullQueuePolicy } from './pipeline.js';
import type { RetryPolicy } from './retry.js';
import {
  SPECIFICATION_VERSION,
  type ArtifactOptions,
  type ArtifactRecord,
  type CloseReport,
  type AudioData,
  type ChildOptions,
  type ConfusionMatrixData,
  type EncodedImage,
  type ExporterV1,
  type HistogramRecord,
  type HyperparamValue,
  type LogOptions,
  type PrCurveData,
  type RawImage,
  type RunHandle,
  type RunInfo,
  type RunOutcome,
  type TableData,
  type DatasetData,
  type Tracker,
} from './spec.js';
import { artifactAliasProblem, artifactNameProblem, artifactTypeProblem, assertArtifactOptions } from './processing/artifacts.js';
import { checkAudio, checkConfusionMatrix, checkNote, checkPrCurve, checkTable, checkTags, type Checked } from './processing/kinds.js';
import { checkDataset } from './processing/dataset.js';
import { checkStep, createNameResolver, MAX_STEP, type NonFinitePolicy, type ValidationPolicy } from './validation.js';
import { toJsonSafe } from './json-safe.js';
import { bucketsProblem } from './histogram-buckets.js';
import { InvalidMetricValueError } from './errors.js';
import { createAliasRewriter } from './conventions/aliases.js';
import type { MetricRegistry, Priority } from './conventions/registry.js';
import { defaultRunName, type Aggregation } from './helpers.js';
import { assertChildCall, assertLogOptions, assertMetricValues, IMAGE_OPTION_KEYS } from './processing/call-shape.js';
import { forEachMetric, type MetricValues } from './processing/flatten.js';
import { checkScalarValue } from './processing/values.js';
import { createPrioritySelector } from './processing/priority.js';
import { IntervalAggregator, type ScalarOut } from './processing/interval.js';
import { StepClock } from './processing/step-clock.js';
import { emptySkipCounts, type SkipReason, type TrackerStats } from './processing/stats.js';
import { redactKnown, scrubSecrets } from './secrets.js';

export interface TrackerOptions {
  exporters: readonly ExporterV1[];
  /** Experiment / project. Default: `METRICS_EXPERIMENT` or 'default'. */
  experiment?: string;
  /** Run name. Default: `METRICS_RUN_NAME` or `run-<local YYYYMMDD-HHMMSS>-<6 random hex>` (see `defaultRunName`). */
  runName?: string;
  group?: string;
  /** This rank, when every rank of a distributed job logs (one run per rank in `group`; see `RunInfo.rank`). */
  rank?: number;
  tags?: Record<string, string>;
  /** What to do with a name or value that breaks the conventions. Default 'warn'. */
  validation?: ValidationPolicy;
  /**
   * NaN/±Infinity: 'skip' (default: skipped with a warning once per name, counted in
   * `stats().skippedBy.nonFinite`; an error in strict mode) or 'keep' (the formats carry them).
   */
  nonFinite?: NonFinitePolicy;
  nameRules?: NameRules;
  /** Rewrite legacy flat names (`loss` → `training/loss`) with a warning once. Default true. */
  migrateLegacyNames?: boolean | Readonly<Record<string, string>>;
  /** Prefix aliases (`train/` → `training/` …, `METRIC_PREFIX_ALIASES`), warning once per alias. Default true. */
  prefixAliases?: boolean | Readonly<Record<string, string>>;
  /**
   * Selective logging: scalars whose registry priority is below this level are not logged (counted in
   * `stats().skippedBy.priority`, said once per name). Default: everything is logged ('low').
   */
  loggingPriority?: Priority;
  /** Priorities for `loggingPriority`. Default: the standard-metrics registry. */
  registry?: MetricRegistry;
  /** Interval aggregation: one value per metric per window of N steps (see the README). Default 1 (off). */
  loggingInterval?: number;
  /** How a window is reduced. Default 'mean'. */
  aggregation?: Aggregation;
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

/** A core tracker: the `Tracker` API with typed processing counters and nested metric objects. */
export interface CoreTracker extends Tracker {
  log(values: MetricValues, options?: LogOptions): void;
  stats(): TrackerStats;
  /**
   * Scalars on an axis of their own (system samples at their sample index): names and values are checked
   * as for `log()`, but they are not priority-selected or aggregated, and the step clock does not move.
   */
  logSamples(values: MetricValues, options: { step: number; wallTime?: number }): void;
  child(name: string, options?: ChildOptions): CoreTracker;
  /** The exporters this tracker feeds (a child tracker's are its backends' child exporters). */
  readonly exporters: readonly ExporterV1[];
}

/**
 * Builds a tracker: the processing chain + the shared pipeline + the given exporters. The chain, in order
 * (`processing/`): call shape → names (flatten, legacy names, prefix aliases, grammar) → value
 * (non-finite) → priority selection → interval aggregation → pipeline.
 */
export function createTracker(options: TrackerOptions): CoreTracker {
  return new PipelineTracker(options);
}

class PipelineTracker implements CoreTracker {
  private readonly pipeline: Pipeline;
  private readonly logger: Logger;
  private readonly resolve: (name: string) => string | undefined;
  private readonly policy: ValidationPolicy;
  private readonly nonFinite: NonFinitePolicy;
  private readonly run: RunInfo;
  private readonly closeTimeoutMs: number;
  private readonly handleExit: boolean;
  private readonly clock: StepClock;
  private readonly skips = emptySkipCounts();
  private readonly select: ((name: string) => boolean) | undefined;
  private readonly aggregator: IntervalAggregator;
  private closing: Promise<CloseReport> | undefined;
  /** Child runs not closed yet: this tracker's close closes them. */
  private readonly children = new Set<PipelineTracker>();
  /** Step and wall time of the `log()` call in progress (fields, so the per-value visitor allocates nothing). */
  private callStep = 0;
  private callWallTime = 0;

  constructor(
    private readonly options: TrackerOptions,
    /** Called once when this tracker closes (a child leaves its parent's list). */
    private readonly onClose?: () => void,
  ) {
    this.logger = options.logger ?? createLogger({ level: options.logLevel });
    this.policy = options.validation ?? 'warn';
    this.nonFinite = options.nonFinite ?? 'skip';
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    const resume = options.resume;
    this.clock = new StepClock(resume ? resume.step : 0);
    this.run = {
      experiment: options.experiment ?? resume?.experiment ?? process.env.METRICS_EXPERIMENT ?? 'default',
      runName: options.runName ?? resume?.runName ?? process.env.METRICS_RUN_NAME ?? defaultRunName(),
      group: options.group,
      ...(options.rank !== undefined ? { rank: options.rank } : {}),
      tags: { ...options.tags },
      startTime: Date.now(),
      ...(resume ? { resumeStep: this.clock.next } : {}),
    };
    prepareExporters(options.exporters, this.run, resume?.runIds, this.logger);
    const migrate = options.migrateLegacyNames ?? true;
    const migrator = migrate ? createLegacyMigrator({ map: migrate === true ? undefined : migrate, logger: this.logger }) : undefined;
    const aliases = options.prefixAliases ?? true;
    const alias = aliases ? createAliasRewriter({ aliases: aliases === true ? undefined : aliases, logger: this.logger }) : undefined;
    const resolver = createNameResolver({
      policy: this.policy,
      rules: options.nameRules ?? DEFAULT_NAME_RULES,
      logger: this.logger,
      // Legacy names first (`loss` → `training/loss`), then prefix aliases (`train/loss` → `training/loss`).
      rewrite: (name) => {
        const migrated = migrator ? migrator.migrateName(name) : name;
        return alias ? alias(migrated) : migrated;
      },
      onSkip: () => this.count('invalidName'),
    });
    this.resolve = resolver.resolve;
    this.select = createPrioritySelector({ level: options.loggingPriority, registry: options.registry, logger: this.logger });
    this.aggregator = new IntervalAggregator(options.loggingInterval ?? 1, options.aggregation ?? 'mean');
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

  get exporters(): readonly ExporterV1[] {
    return this.options.exporters;
  }

  /** The step a `log()` without one is logged at: (highest step seen) + 1 (see `StepClock`). */
  get step(): number {
    return this.clock.next;
  }

  private count(reason: SkipReason): void {
    this.skips[reason]++;
    this.pipeline.skipped++;
  }

  /** The step of a call: the given one (checked), or the clock's (`next` for log, `current` for media). */
  private stepFor(given: unknown, media: boolean, metric?: string): number | undefined {
    if (given === undefined) {
      if (media) return this.clock.current;
      if (this.clock.atMax) this.logger.warnOnce('step-counter-max', `The step counter reached 2^53−1; later step-less calls are logged at step ${MAX_STEP}.`);
      return this.clock.next;
    }
    return checkStep(given, this.policy, this.logger, metric);
  }

  /** Name and step for a media call; a bad step is counted as a skip (a bad name is counted by the resolver). */
  private target(name: string, options: LogOptions | undefined): { name: string; step: number } | undefined {
    const resolved = this.resolve(name);
    if (resolved === undefined) return undefined;
    const step = this.stepFor(options?.step, true, resolved);
    if (step === undefined) {
      this.count('invalidStep');
      return undefined;
    }
    if (options?.step !== undefined) this.clock.see(step);
    return { name: resolved, step };
  }

  private usable(): boolean {
    if (!this.pipeline.isClosed) return true;
    this.logger.warnOnce('closed', 'A log call came after close(); it is ignored.');
    this.count('afterClose');
    return false;
  }

  log(values: MetricValues, options?: LogOptions): void {
    assertMetricValues('log()', values);
    assertLogOptions('log()', options);
    if (!this.usable()) return;
    const step = this.stepFor(options?.step, false);
    if (step === undefined) return this.count('invalidStep');
    this.callStep = step;
    this.callWallTime = options?.wallTime ?? Date.now();
    forEachMetric(values, this.processScalar);
    this.clock.see(step);
  }

  logSamples(values: MetricValues, options: { step: number; wallTime?: number }): void {
    assertMetricValues('logSamples()', values);
    assertLogOptions('logSamples()', options);
    if (!this.usable()) return;
    const step = this.stepFor(options.step, false);
    if (step === undefined) return this.count('invalidStep');
    const wallTime = options.wallTime ?? Date.now();
    forEachMetric(values, (key, value) => {
      const name = this.resolve(key);
      if (name === undefined) return;
      const skip = typeof value === 'number' && value - value === 0 ? undefined : checkScalarValue(name, value, this.policy, this.nonFinite, this.logger);
      if (skip !== undefined) return this.count(skip);
      this.pipeline.push({ kind: 'scalar', name, value: value as number, step, wallTime });
    });
  }

  /** Processors 2–5 for one scalar of the call in progress (names → value → priority → interval). */
  private readonly processScalar = (key: string, value: unknown): void => {
    const name = this.resolve(key);
    if (name === undefined) return;
    // `value - value` is 0 only for finite numbers: one cheap test keeps the common case fast.
    if (typeof value !== 'number' || value - value !== 0) {
      const skip = checkScalarValue(name, value, this.policy, this.nonFinite, this.logger);
      if (skip !== undefined) return this.count(skip);
    }
    if (this.select !== undefined && !this.select(name)) return this.count('priority');
    if (this.aggregator.interval === 1) this.pipeline.push({ kind: 'scalar', name, value: value as number, step: this.callStep, wallTime: this.callWallTime });
    else this.aggregator.add(name, value as number, this.callStep, this.callWallTime, this.emitScalar);
  };

  private readonly emitScalar = (p: ScalarOut): void => {
    this.pipeline.push({ kind: 'scalar', name: p.name, value: p.value, step: p.step, wallTime: p.wallTime });
  };

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
    assertLogOptions('logHistogram()', options);
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
    // Any other array-like (`{ length: 2 ** 31 }` from a careless caller or a fuzzer) is checked before the
    // copy is allocated: its length alone must never reserve gigabytes.
    if (!Array.isArray(arr) && !ArrayBuffer.isView(arr) && !isNumberArrayLike(arr)) return this.skip('histogram', name, 'values must be numbers');
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
    assertLogOptions('logImage()', options, IMAGE_OPTION_KEYS);
    if (!this.usable()) return;
    const to = this.target(name, options);
    if (to === undefined) return;
    const problem = imageProblem(image);
    if (problem) return this.skip('image', name, problem);
    const caption = typeof options?.caption === 'string' ? options.caption : undefined;
    this.pipeline.push({ kind: 'image', name: to.name, step: to.step, wallTime: options?.wallTime ?? Date.now(), image, caption });
  }

  logText(name: string, text: string, options?: LogOptions): void {
    assertLogOptions('logText()', options);
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

  logArtifact(localPath: string, options?: ArtifactOptions): void {
    assertArtifactOptions(options);
    if (!this.usable()) return;
    if (typeof localPath !== 'string' || localPath.length === 0 || localPath.includes('\0'))
      return this.skip('artifact', String(localPath) || '(artifact)', 'an artifact needs a local file or directory path');
    const { artifactPath = '', type, name, aliases, input } = options ?? {};
    const problem =
      (name !== undefined ? artifactNameProblem(name) : undefined) ??
      (type !== undefined ? artifactTypeProblem(type) : undefined) ??
      aliases?.map(artifactAliasProblem).find((p) => p !== undefined);
    if (problem) return this.skip('artifact', name ?? localPath, problem);
    const record: ArtifactRecord = { kind: 'artifact', wallTime: Date.now(), localPath, artifactPath, type };
    if (name !== undefined) record.name = name;
    if (aliases !== undefined && aliases.length > 0) record.aliases = [...new Set(aliases)];
    if (input) record.input = true;
    this.pipeline.push(record);
  }

  logTable(name: string, table: TableData, options?: LogOptions): void {
    assertLogOptions('logTable()', options);
    const to = this.structured('table', name, options, table, checkTable);
    if (to) this.pipeline.push({ kind: 'table', name: to.name, step: to.step, wallTime: to.wallTime, columns: to.value.columns, rows: to.value.rows });
  }

  logPrCurve(name: string, data: PrCurveData, options?: LogOptions): void {
    assertLogOptions('logPrCurve()', options);
    const to = this.structured('PR curve', name, options, data, checkPrCurve);
    if (to) this.pipeline.push({ kind: 'pr_curve', name: to.name, step: to.step, wallTime: to.wallTime, ...to.value });
  }

  logConfusionMatrix(name: string, data: ConfusionMatrixData, options?: LogOptions): void {
    assertLogOptions('logConfusionMatrix()', options);
    const to = this.structured('confusion matrix', name, options, data, checkConfusionMatrix);
    if (to) this.pipeline.push({ kind: 'confusion_matrix', name: to.name, step: to.step, wallTime: to.wallTime, ...to.value });
  }

  logAudio(name: string, audio: AudioData, options?: LogOptions & { caption?: string }): void {
    assertLogOptions('logAudio()', options, IMAGE_OPTION_KEYS);
    const to = this.structured('audio', name, options, audio, checkAudio);
    if (!to) return;
    const caption = typeof options?.caption === 'string' ? redactKnown(options.caption) : undefined;
    this.pipeline.push({ kind: 'audio', name: to.name, step: to.step, wallTime: to.wallTime, ...to.value, ...(caption !== undefined ? { caption } : {}) });
  }

  setTags(tags: Readonly<Record<string, string>>): void {
    if (!this.usable()) return;
    const checked = checkTags(tags);
    if (!checked.ok) return this.skip('tags', '(tags)', checked.problem);
    if (Object.keys(checked.value).length === 0) return;
    this.pipeline.push({ kind: 'tags', wallTime: Date.now(), tags: scrubSecrets(checked.value) as Record<string, string> });
  }

  setNote(markdown: string): void {
    if (!this.usable()) return;
    const checked = checkNote(markdown);
    if (!checked.ok) return this.skip('note', '(note)', checked.problem);
    this.pipeline.push({ kind: 'note', wallTime: Date.now(), text: redactKnown(checked.value) });
  }

  logDataset(dataset: DatasetData): void {
    if (!this.usable()) return;
    const checked = checkDataset(dataset);
    if (!checked.ok) return this.skip('dataset', nameOf(dataset), checked.problem);
    // A source URI may carry credentials (https://user:token@host/…, ?sig=…): masked like every other text.
    const { source, tags, ...rest } = checked.value;
    this.pipeline.push({ kind: 'dataset', wallTime: Date.now(), ...rest, source: redactKnown(source), tags: scrubSecrets(tags) as Record<string, string> });
  }

  /** Name, step and checked payload of a structured-kind call; undefined when it is skipped (counted). */
  private structured<T>(
    kind: string,
    name: string,
    options: LogOptions | undefined,
    payload: unknown,
    check: (payload: unknown) => Checked<T>,
  ): { name: string; step: number; wallTime: number; value: T } | undefined {
    if (!this.usable()) return undefined;
    const to = this.target(name, options);
    if (to === undefined) return undefined;
    const checked = check(payload);
    if (!checked.ok) {
      this.skip(kind, name, checked.problem);
      return undefined;
    }
    for (const note of checked.notes) this.logger.warnOnce(`${kind}-note:${to.name}:${note.replace(/^\d+ /, '')}`, `${kind} "${to.name}": ${note}.`);
    return { name: to.name, step: to.step, wallTime: options?.wallTime ?? Date.now(), value: checked.value };
  }

  private skip(kind: string, name: string, rule: string): void {
    if (this.policy === 'strict') throw new InvalidMetricValueError(String(name), `${kind}: ${rule}`, undefined);
    this.logger.warnOnce(`${kind}:${name}:${rule}`, `Skipping ${kind} "${name}": ${rule}.`);
    this.count('invalidValue');
  }

  /** Emits the open aggregation windows (flush and close), at the highest step seen in each. */
  private drainWindows(): void {
    if (!this.pipeline.isClosed) this.aggregator.drain(this.emitScalar);
  }

  flush(options?: { timeoutMs?: number }): Promise<void> {
    this.drainWindows();
    return this.pipeline.flush(options?.timeoutMs);
  }

  close(outcome: RunOutcome = { status: 'finished' }, options?: { timeoutMs?: number }): Promise<CloseReport> {
    this.closing ??= (async () => {
      this.drainWindows();
      if (this.handleExit) unregisterForExit(this);
      this.onClose?.();
      const timeoutMs = options?.timeoutMs ?? this.closeTimeoutMs;
      // Children still open end with this run's outcome, at the same time and within the same bound.
      const children = [...this.children].map((c) => c.close(outcome, { timeoutMs }));
      const backends = await this.pipeline.shutdown(outcome, timeoutMs);
      await Promise.all(children);
      return { ok: backends.every((b) => b.status === 'ok'), status: outcome.status, backends };
    })();
    return this.closing;
  }

  child(name: string, options?: ChildOptions): CoreTracker {
    assertChildCall(name, options);
    const closed = this.pipeline.isClosed;
    if (closed) {
      this.logger.warnOnce('child-closed', `child("${name}") came after close(); the child run is not created and its log calls are ignored.`);
      this.count('afterClose');
    }
    const exporters = closed ? [] : this.childExporters({ name, jobType: options?.jobType ?? name });
    const child: PipelineTracker = new PipelineTracker(
      {
        ...this.options,
        exporters,
        experiment: this.run.experiment,
        runName: name,
        group: this.run.group,
        rank: undefined,
        tags: { ...this.run.tags, ...options?.tags },
        resume: undefined,
        logger: this.logger,
        // The parent closes its children (and its own exit handling closes the parent).
        handleExit: false,
      },
      () => this.children.delete(child),
    );
    if (closed) void child.close();
    else this.children.add(child);
    return child;
  }

  /** Each backend's exporter for a child run; a backend without child runs (a custom exporter) is left out, said once. */
  private childExporters(run: { name: string; jobType: string }): ExporterV1[] {
    const out: ExporterV1[] = [];
    for (const exporter of this.options.exporters) {
      if (typeof exporter.child !== 'function') {
        this.logger.warnOnce(`child-unsupported:${exporter.name}`, `${exporter.name} has no child runs; children of this run are not logged to it.`);
        continue;
      }
      try {
        out.push(exporter.child(run));
      } catch (error) {
        // A contract breach by a custom exporter: the child logs to the other backends.
        this.logger.errorOnce(
          `child-failed:${exporter.name}`,
          `${exporter.name}: child() threw (${error instanceof Error ? error.message : String(error)}); the child run "${run.name}" is not logged to it.`,
        );
      }
    }
    return out;
  }

  fail(error?: unknown, options?: { timeoutMs?: number }): Promise<CloseReport> {
    return this.close({ status: 'failed', error }, options);
  }

  stats(): TrackerStats {
    return {
      ...this.pipeline.stats(),
      skippedBy: { ...this.skips },
      aggregation: { interval: this.aggregator.interval, windowsEmitted: this.aggregator.windowsEmitted, latePoints: this.aggregator.latePoints },
    };
  }

  runHandle(): RunHandle {
    return {
      specificationVersion: SPECIFICATION_VERSION,
      experiment: this.run.experiment,
      runName: this.run.runName,
      step: this.clock.next,
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
      logger.warnOnce(
        `prepare:${exporter.name}`,
        `${exporter.name}: prepare() threw (${error instanceof Error ? error.message : String(error)}); its run ids are known only once it starts.`,
      );
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

/** A dataset's name for a skip message, whatever was passed. */
function nameOf(dataset: unknown): string {
  const name = (dataset as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.length > 0 ? name.slice(0, 80) : '(dataset)';
}

/** Every entry of a generic array-like is a number (stops at the first that is not). */
function isNumberArrayLike(arr: ArrayLike<unknown>): boolean {
  if (!Number.isSafeInteger(arr.length)) return false;
  for (let i = 0; i < arr.length; i++) if (typeof arr[i] !== 'number') return false;
  return true;
}
