import {
  InvalidConfigError,
  createLogger,
  createTracker,
  defaultRunName,
  MetricRegistry,
  type CoreTracker,
  type ArtifactOptions,
  type AudioData,
  type ChildOptions,
  type CloseReport,
  type ConfusionMatrixData,
  type DatasetData,
  type EncodedImage,
  type HyperparamValue,
  type LogOptions,
  type Logger,
  type PrCurveData,
  type RawImage,
  type RunHandle,
  type RunOutcome,
  type TableData,
  type Tracker,
  type TrackerStats,
} from '@metrics/core';
import {
  assertLogOptions,
  assertMetricValues,
  assertStepArgument,
  registerForExit,
  unregisterForExit,
  type ExporterV1,
  type HistogramRecord,
  type MetricValues,
  type BackendSelection,
} from '@metrics/core/backend';
import { createProfiler, startSystemSampler, type Profiler } from '@metrics/profiler';
import { createBackends, loadBackends, type BackendImporter, type BackendOptions } from './backends.js';
import { assertOptionsObject, checkConfig, CONFIG_CONTEXT, type ExperimentConfig, type ExperimentConfigInput } from './config.js';
import { isExporter, isTracker, trackerAsExporter } from './define-tracker.js';
import { printCloseSummary } from './close-summary.js';

export interface ExperimentTrackerOptions extends ExperimentConfigInput {
  /**
   * The backends to log to, each with its options: `[tensorboard({ logDir: 'runs' }), mlflow()]` (descriptors
   * from the backend packages, or your own from `defineBackend`); ready exporters and `Tracker`s are fine
   * too. Default: every installed built-in backend, configured by the flat options and `backendOptions`.
   */
  // biome-ignore lint/suspicious/noExplicitAny: any backend's selection, whatever its option types
  exporters?: readonly (BackendSelection<any, any> | ExporterV1 | Tracker)[];
  /** Custom or pre-built trackers, besides the backends: exporters (e.g. from `defineTracker`) or whole `Tracker`s. */
  trackers?: readonly (ExporterV1 | Tracker)[];
  /** Options per built-in backend, keyed by its name, each typed as that backend's options (without `exporters`). */
  backendOptions?: BackendOptions;
  /** A profiler to use. Default: a new one (off with `profiling: false`). */
  profiler?: Profiler;
  /** Where the tracker's own messages go. Default: a console logger at `logLevel`. */
  logger?: Logger;
  /** Metric priorities for `selectiveLogging`. Default: the standard-metrics registry. */
  registry?: MetricRegistry;
  /** A saved run handle (from `runHandle()`, e.g. in a checkpoint): resume the same runs at the right step. */
  resume?: RunHandle;
  /** The environment variables to read (the facade's and each backend's). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How backend packages are imported. For tests (e.g. a backend that is not installed); default `import()`. */
  backendImporter?: BackendImporter;
}

const CATEGORY = 'experiment_tracking';

/** Lifecycle operations: their time is in the report, but a "slow" warning about them is noise. */
const QUIET_OPERATIONS = {
  experiment_tracker_setup: Number.POSITIVE_INFINITY,
  experiment_tracker_flush: Number.POSITIVE_INFINITY,
  experiment_tracker_cleanup: Number.POSITIVE_INFINITY,
};

/**
 * Creates the facade: one pipeline fanning out to every enabled tracker, isolated from each other, with
 * logging intervals, priority-based selective logging, rank gating and every operation profiled.
 * Fails at creation (with the field and the fix) on a bad configuration; never afterwards.
 */
export async function createExperimentTracker(options: ExperimentTrackerOptions = {}): Promise<ExperimentTracker> {
  assertOptionsObject(options);
  const { exporters: chosen, trackers, backendOptions, profiler, logger, registry, resume, env, backendImporter, ...configInput } = options;
  const checked = checkConfig(configInput, env);
  const given = checked.ok ? checked.config : checked.valid;
  const log = logger ?? createLogger({ level: checked.ok ? checked.config.logLevel : undefined });
  // The backends are checked in every case (also when tracking is off or this rank is gated out), so a
  // bad option or variable fails the same way everywhere, together with the facade's own issues.
  const loaded = await loadBackends({ given, exporters: chosen, backendOptions, env: env ?? process.env, logger: log, importer: backendImporter });
  const issues = [...checked.issues, ...loaded.issues];
  if (!checked.ok || issues.length > 0) throw new InvalidConfigError(issues, CONFIG_CONTEXT);
  const config = checked.config;
  const prof =
    profiler ??
    createProfiler({
      enabled: config.profiling,
      // Only tracking calls are ours to warn about; the user's own operations are slow on purpose.
      slowThresholdMs: Number.POSITIVE_INFINITY,
      slowThresholdMsByCategory: { [CATEGORY]: config.slowTrackingThresholdMs },
      // Opening runs, flushing and closing wait on files and servers by nature: timed, never warned about.
      slowThresholdMsByOperation: QUIET_OPERATIONS,
      logger: log,
    });
  const experiment = config.experiment ?? loaded.run.experiment ?? resume?.experiment ?? 'default';
  const rank = config.rank;
  const gatedOut = rank !== undefined && rank > 0 && config.rankGating === 'main';

  let exporters: ExporterV1[] = [];
  let pipeline: ReturnType<typeof createBackends> = { exporters: [], fullQueue: {}, spillDir: config.mlflowSpoolDir };
  if (config.experimentTrackingEnabled && !gatedOut) {
    pipeline = await prof.profileOperation('experiment_tracker_setup', CATEGORY, () =>
      createBackends(loaded.backends, { logger: log, env: env ?? process.env, spillDir: config.mlflowSpoolDir }),
    );
    exporters = [...pipeline.exporters];
    for (const [i, t] of [...loaded.ready, ...(trackers ?? [])].entries()) {
      if (isExporter(t)) exporters.push(t);
      else if (isTracker(t)) exporters.push(trackerAsExporter(t, `tracker${i}`));
      else throw new TypeError(`trackers[${i}] is neither an exporter (defineTracker), a backend (defineBackend) nor a Tracker`);
    }
    const names = new Set<string>();
    for (const e of exporters) {
      if (names.has(e.name)) throw new TypeError(`Two trackers are named "${e.name}"; give custom trackers distinct names.`);
      names.add(e.name);
    }
  }
  let runName = config.runName ?? loaded.run.runName ?? resume?.runName;
  let group = config.group ?? loaded.run.group;
  if (rank !== undefined && config.rankGating === 'all') {
    runName = `${runName ?? defaultRunName()}-rank${rank}`;
    group ??= config.runName ?? experiment;
  }
  const metricRegistry = registry ?? new MetricRegistry();
  // Core owns the processing chain (names, non-finite, priority, interval) and the step clock; the facade configures it.
  const core = createTracker({
    exporters,
    experiment,
    runName,
    group,
    // Every rank logs its own run of the group: backends nest or group them (MLflow: children of one parent run).
    ...(rank !== undefined && config.rankGating === 'all' ? { rank } : {}),
    tags: rank !== undefined ? { ...config.tags, rank: String(rank) } : config.tags,
    validation: config.validation,
    nonFinite: config.nonFinite,
    loggingPriority: config.selectiveLogging ? config.loggingPriority : undefined,
    registry: metricRegistry,
    loggingInterval: config.experimentLoggingInterval,
    aggregation: config.aggregation,
    logger: log,
    closeTimeoutMs: config.closeTimeoutMs,
    resume,
    // Each backend's own default: a remote one that is down spills to disk (MLflow's spool, replayable later).
    fullQueue: pipeline.fullQueue,
    spillDir: pipeline.spillDir,
    // The facade closes itself at exit/crash/signal (so its summary is printed then too), not the core.
    handleExit: false,
  });
  if (exporters.length > 0) log.success(`Experiment tracking initialized: ${exporters.map((e) => e.name).join(', ')} (run ${core.runHandle().runName})`);
  else if (gatedOut) log.debug(`Rank ${rank}: tracking is done by rank 0 only (rankGating: "main").`);
  return new ExperimentTracker(core, config, prof, exporters, metricRegistry, log);
}

/** Names in `training/…` etc. are kept; bare keys get the category prefix. */
function under(category: string, metrics: MetricValues): Record<string, MetricValues[string]> {
  const out: Record<string, MetricValues[string]> = {};
  for (const key in metrics) out[key.includes('/') ? key : `${category}/${key}`] = metrics[key]!;
  return out;
}

export class ExperimentTracker implements Tracker {
  private sampler: { stop(): void } | undefined;
  private closing: Promise<CloseReport> | undefined;
  /**
   * The runs made by `child()`: this run's close ends those still open and its summary lists them. A closed
   * child leaves only its report here (a study of thousands of trials must not keep their trackers alive).
   */
  private readonly children: { name: string; tracker?: ExperimentTracker; report?: CloseReport }[] = [];

  constructor(
    private readonly core: CoreTracker,
    readonly config: ExperimentConfig,
    readonly profiler: Profiler,
    private readonly exporters: readonly ExporterV1[],
    readonly registry: MetricRegistry,
    private readonly logger: Logger,
    /** A child run (`child()`): no system metrics or exit handling of its own (its parent closes it). */
    private readonly isChild = false,
    /** A child's parent hears its report here once it is closed. */
    private readonly onClosed?: (report: CloseReport) => void,
  ) {
    if (isChild) return;
    if (config.systemMetricsIntervalMs > 0 && exporters.length > 0) this.startSystemMetrics(config.systemMetricsIntervalMs);
    if (exporters.length > 0) registerForExit(this, config.closeTimeoutMs);
  }

  /**
   * A child run (a cross-validation fold, a hyperparameter trial): each backend's child run (MLflow nested
   * under this run, W&B in its group with a job type, TensorBoard `<run>/<name>`), with its own step clock and
   * this tracker's settings. Close it with `await using`, `close()` or `fail()`; this tracker's close closes
   * it otherwise. A child that fails leaves this run as it is. Bad arguments throw at once.
   */
  child(name: string, options?: ChildOptions): ExperimentTracker {
    const core = this.core.child(name, options);
    const entry: { name: string; tracker?: ExperimentTracker; report?: CloseReport } = { name };
    entry.tracker = new ExperimentTracker(core, this.config, this.profiler, core.exporters, this.registry, this.logger, true, (report) => {
      entry.report = report;
      entry.tracker = undefined;
    });
    this.children.push(entry);
    return entry.tracker;
  }

  /** Core's step clock: the step a `log` without one is logged at, (highest step seen) + 1. */
  get step(): number {
    return this.core.step;
  }

  /** The built-in or custom exporter of that name (its `native()` is the backend's own handle). */
  backend(name: string): ExporterV1 | undefined {
    return this.exporters.find((e) => e.name === name);
  }

  get backends(): string[] {
    return this.exporters.map((e) => e.name);
  }

  // Every scalar call goes to core's log(): core checks the call, resolves names, applies the non-finite
  // rule, selective logging and interval aggregation, and steps its one clock. The facade only names things.

  log(values: MetricValues, options?: LogOptions): void {
    this.profiler.profileOperation('unified_logging', CATEGORY, () => this.core.log(values, options));
  }

  /** `training/<name>` for each metric, plus `training/epoch`. */
  logTrainingMetrics(epoch: number, step: number, metrics: MetricValues): void {
    assertStepArgument('logTrainingMetrics(epoch, step, metrics)', 'epoch', epoch);
    assertStepArgument('logTrainingMetrics(epoch, step, metrics)', 'step', step);
    assertMetricValues('logTrainingMetrics(epoch, step, metrics)', metrics);
    this.profiler.profileOperation('unified_training_logging', CATEGORY, () =>
      this.core.log({ ...under('training', metrics), 'training/epoch': epoch }, { step }),
    );
  }

  /** `performance/<name>` for each metric. */
  logPerformanceMetrics(metrics: MetricValues, options?: LogOptions): void {
    assertMetricValues('logPerformanceMetrics()', metrics);
    assertLogOptions('logPerformanceMetrics()', options);
    this.profiler.profileOperation('unified_performance_logging', CATEGORY, () => this.core.log(under('performance', metrics), options));
  }

  /** The profiler's own statistics (`profiling/timing/<op>` …), or the given values under `profiling/`. */
  logProfilingData(data?: MetricValues, options?: LogOptions): void {
    if (data !== undefined) assertMetricValues('logProfilingData()', data);
    assertLogOptions('logProfilingData()', options);
    this.profiler.profileOperation('unified_profiling_logging', CATEGORY, () =>
      this.core.log(data ? under('profiling', data) : this.profiler.toMetrics(), options),
    );
  }

  logHyperparams(params: Readonly<Record<string, HyperparamValue>>, options?: { metrics?: string[] }): void {
    this.profiler.profileOperation('unified_hyperparameter_logging', CATEGORY, () => this.core.logHyperparams(params, options));
  }

  logHistogram(name: string, values: ArrayLike<number> | NonNullable<HistogramRecord['buckets']>, options?: LogOptions): void {
    this.profiler.profileOperation('unified_histogram_logging', CATEGORY, () => this.core.logHistogram(name, values, options));
  }

  logImage(name: string, image: RawImage | EncodedImage, options?: LogOptions & { caption?: string }): void {
    this.profiler.profileOperation('unified_image_logging', CATEGORY, () => this.core.logImage(name, image, options));
  }

  logText(name: string, text: string, options?: LogOptions): void {
    this.profiler.profileOperation('unified_text_logging', CATEGORY, () => this.core.logText(name, text, options));
  }

  logConfig(config: Readonly<Record<string, unknown>>): void {
    this.profiler.profileOperation('unified_config_logging', CATEGORY, () => this.core.logConfig(config));
  }

  setSummary(values: Readonly<Record<string, number | string | boolean>>): void {
    this.profiler.profileOperation('unified_summary_logging', CATEGORY, () => this.core.setSummary(values));
  }

  logArtifact(localPath: string, options?: ArtifactOptions): void {
    this.profiler.profileOperation('unified_artifact_logging', CATEGORY, () => this.core.logArtifact(localPath, options));
  }

  logTable(name: string, table: TableData, options?: LogOptions): void {
    this.profiler.profileOperation('unified_table_logging', CATEGORY, () => this.core.logTable(name, table, options));
  }

  logPrCurve(name: string, data: PrCurveData, options?: LogOptions): void {
    this.profiler.profileOperation('unified_pr_curve_logging', CATEGORY, () => this.core.logPrCurve(name, data, options));
  }

  logConfusionMatrix(name: string, data: ConfusionMatrixData, options?: LogOptions): void {
    this.profiler.profileOperation('unified_confusion_matrix_logging', CATEGORY, () => this.core.logConfusionMatrix(name, data, options));
  }

  logAudio(name: string, audio: AudioData, options?: LogOptions & { caption?: string }): void {
    this.profiler.profileOperation('unified_audio_logging', CATEGORY, () => this.core.logAudio(name, audio, options));
  }

  setTags(tags: Readonly<Record<string, string>>): void {
    this.profiler.profileOperation('unified_tags_logging', CATEGORY, () => this.core.setTags(tags));
  }

  setNote(markdown: string): void {
    this.profiler.profileOperation('unified_note_logging', CATEGORY, () => this.core.setNote(markdown));
  }

  logDataset(dataset: DatasetData): void {
    this.profiler.profileOperation('unified_dataset_logging', CATEGORY, () => this.core.logDataset(dataset));
  }

  private startSystemMetrics(intervalMs: number): void {
    let sample = 0;
    // System samples get their own counter as x-axis: logSamples neither moves the step clock nor aggregates.
    const sink = { log: (values: Record<string, number>) => this.core.logSamples(values, { step: sample++ }) };
    this.sampler = startSystemSampler({ intervalMs, tracker: sink as unknown as Tracker });
  }

  flush(options?: { timeoutMs?: number }): Promise<void> {
    // Core's flush also emits the open aggregation windows.
    return this.profiler.profileOperation('experiment_tracker_flush', CATEGORY, () => this.core.flush(options));
  }

  /**
   * Flushes, ends every run with the outcome and prints the end-of-run summary (✅ / ⚠️ / ❌, then where each
   * run is and how to view or upload it). Resolves to the report; idempotent.
   */
  close(outcome?: RunOutcome, options?: { timeoutMs?: number }): Promise<CloseReport> {
    this.closing ??= this.profiler.profileOperation('experiment_tracker_cleanup', CATEGORY, async () => {
      unregisterForExit(this);
      this.sampler?.stop();
      this.sampler = undefined;
      // Children still open end with this run's outcome, at the same time and within the same bound (as core's
      // close ends them), through the facade so that their reports are known.
      const closingChildren = Promise.all(
        this.children.map(async ({ name, tracker, report }) => ({ name, report: report ?? (await tracker!.close(outcome, options)) })),
      );
      const report = await this.core.close(outcome, options);
      const children = await closingChildren;
      this.onClosed?.(report);
      // A child (one of many folds or trials) speaks only about problems (spooling with no server set is the
      // plan, not one); its parent's summary lists the children and their commands.
      const problems = report.backends.some((b) => b.status !== 'ok' && !b.offline);
      if (!this.isChild || problems) printCloseSummary(report, this.core.runHandle().runName, this.logger, children);
      return report;
    });
    return this.closing;
  }

  /** Ends every run FAILED with this error (MLflow FAILED, W&B exit code 1): what `await using` cannot see. */
  fail(error?: unknown, options?: { timeoutMs?: number }): Promise<CloseReport> {
    return this.close({ status: 'failed', error }, options);
  }

  stats(): TrackerStats {
    return this.core.stats();
  }

  runHandle(): RunHandle {
    return this.core.runHandle();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
