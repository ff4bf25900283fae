import { join, resolve } from 'node:path';
import { createLogger } from '@metrics/core';
import type { Logger, RunOutcome } from '@metrics/core';
import {
  parseOptions,
  bucketsProblem,
  safeSegment,
  failure,
  kindsExcept,
  withOptInKinds,
  encodePng,
  markdownTable,
  shellQuote,
  toJsonSafe,
  EXPORT_OK,
  SPECIFICATION_VERSION,
} from '@metrics/core/backend';
import type {
  ChildRun,
  DatasetRecord,
  ExporterV1,
  ExportResult,
  HistogramRecord,
  ImageRecord,
  RunDescription,
  RunInfo,
  TrackingRecord,
} from '@metrics/core/backend';
import { bucketValues } from './histogram.js';
import {
  AUDIO_METADATA,
  prCurveMetadata,
  valueAudio,
  valuePrCurve,
  hparamsExperiment,
  hparamsSessionEnd,
  hparamsSessionStart,
  HPARAMS_STATUS,
  HPARAMS_TAGS,
  TEXT_METADATA,
  valueHistogram,
  valueImage,
  valuePluginOnly,
  valueText,
  type HistogramData,
  type HparamValue,
} from './proto/messages.js';
import { EventFileWriter, type EventFileWriterOptions } from './writer/event-file-writer.js';
import { tensorBoardExporterOptionsSchema } from './settings.js';
import { claimRunDir } from './writer/run-dir-claim.js';

export interface TensorBoardExporterOptions extends Omit<EventFileWriterOptions, 'onError'> {
  /**
   * Root of all runs; a run writes to `<logDir>/<experiment>/<run>`. Default `runs` (relative to the cwd).
   * When that directory exists already (another run of the same name), the run gets `<run>-2`, `<run>-3`…
   * with a warning: TensorBoard would show both runs' event files as one run.
   */
  logDir?: string;
  /** Write into exactly this directory instead of `<logDir>/<experiment>/<run>` (used as is, even if it exists). */
  runDir?: string;
  /** Flush after this many exported batches (besides `flushBytes` and `flushIntervalMs`). Default 10. */
  maxQueue?: number;
  /**
   * A point whose step is not greater than the tag's previous step: 'keep' (default) writes it and warns
   * once per tag (TensorBoard's data server then shows the newest value for that step and drops older
   * points at higher steps; the Python loader shows all); 'drop' leaves it out and counts it.
   */
  stepPolicy?: 'keep' | 'drop';
  /**
   * Also write `_hparams_/experiment` (hparam types + the metrics named in `logHyperparams(…, { metrics })`)
   * into this run. Off by default: TensorBoard uses only the first experiment it finds in a logdir, so
   * with several runs it hides the others' hparams; without it TensorBoard infers the union.
   */
  hparamsExperiment?: boolean;
  /**
   * Resuming from a run handle at step k: start the new event file with a restart marker at k, so
   * TensorBoard's Python loaders hide the points at or above k that the crashed attempt wrote (its Rust
   * data server ignores the marker; see the README's "Resume"). Default true.
   */
  purgeOnResume?: boolean;
  logger?: Logger;
}

export interface TensorBoardNative {
  writer: EventFileWriter | undefined;
  runDir: string | undefined;
}

/** Artifacts are files: TensorBoard has no place for them. Datasets are described as text. */
const CAPABILITIES = withOptInKinds(kindsExcept('artifact'), 'dataset');
/** Retryable: the pipeline starts the run before it exports. */
const NOT_STARTED: ExportResult = failure(new Error('TensorBoard exporter not started'));

const STATUS: Record<RunOutcome['status'], number> = {
  finished: HPARAMS_STATUS.success,
  failed: HPARAMS_STATUS.failure,
  killed: HPARAMS_STATUS.failure,
};

/** Writes a run's records as a TensorBoard event file; see the package README. */
export function createTensorBoardExporter(options: TensorBoardExporterOptions = {}): ExporterV1<TensorBoardNative> {
  // A bad option fails here (naming the fix), not later as a write error that is retried.
  return new TensorBoardExporter(parseOptions(tensorBoardExporterOptionsSchema, options, 'createTensorBoardExporter options') as TensorBoardExporterOptions);
}

const secsOf = (ms: number): number => (Number.isFinite(ms) ? ms / 1000 : Date.now() / 1000);

class TensorBoardExporter implements ExporterV1<TensorBoardNative> {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name = 'tensorboard';
  /**
   * A caller that has not yielded since the last sealed batch gets its batches encoded at the seal, into memory
   * (and written once 1 MiB is buffered): the records die young instead of waiting in the queue until the
   * caller yields, which saves the garbage collector more than the encoding costs (through the tracker, 2 M
   * scalars: 3.3–3.7 M/s against 2.5–3.4 M/s, runs interleaved). A caller that yields between batches is not
   * affected: its batches are exported in the background.
   */
  readonly exportSyncOnSeal = true;
  readonly capabilities = CAPABILITIES;
  private writer: EventFileWriter | undefined;
  private runDir: string | undefined;
  private run: RunInfo | undefined;
  private readonly logger: Logger;
  private readonly stepPolicy: 'keep' | 'drop';
  private readonly maxQueue: number;
  private batches = 0;
  private readonly lastStep = new Map<string, number>();
  private hparamsWritten = false;
  private shutDown = false;
  /** Every tag set so far (each `setTags` writes the whole set, at the next step of the `tags` text). */
  private readonly runTags: Record<string, string> = {};
  private tagWrites = 0;
  private noteWrites = 0;
  private datasetWrites = 0;
  /** Points left out by `stepPolicy: 'drop'` or as unusable. */
  dropped = 0;

  constructor(
    private readonly options: TensorBoardExporterOptions,
    /** A child run's parent (`Tracker.child`): the child writes to a sub-directory of the parent's run directory. */
    private readonly parent?: TensorBoardExporter,
  ) {
    this.logger = options.logger ?? createLogger();
    this.stepPolicy = options.stepPolicy ?? 'keep';
    this.maxQueue = Math.max(1, options.maxQueue ?? 10);
  }

  /** Fixes the run directory at tracker creation, so `runIds()` (the run handle) has it at once. */
  prepare(run: RunInfo): void {
    try {
      this.chooseRunDir(run);
    } catch {
      // start() tries again and reports the error
    }
  }

  private chooseRunDir(run: RunInfo): string {
    if (this.runDir) return this.runDir;
    const resumeDir = run.resume?.logDir;
    if (this.parent) {
      const parentDir = this.parent.runDir;
      if (!parentDir) throw new Error(`TensorBoard: the parent of child run "${run.runName}" has no run directory`);
      // `<run>/<child>`: TensorBoard lists it as a run of its own, named after both.
      this.runDir = claimRunDir(join(parentDir, safeSegment(run.runName)));
    } else if (this.options.runDir) this.runDir = resolve(this.options.runDir);
    else if (typeof resumeDir === 'string' && resumeDir.length > 0 && !resumeDir.includes('\0')) this.runDir = resolve(resumeDir);
    else {
      const wanted = join(this.options.logDir ?? 'runs', safeSegment(run.experiment), safeSegment(run.runName));
      this.runDir = claimRunDir(wanted);
      if (this.runDir !== resolve(wanted))
        this.logger.warn(
          `TensorBoard: ${resolve(wanted)} is taken (another run named "${run.runName}" in "${run.experiment}"); ` +
            `this run writes to ${this.runDir} so TensorBoard keeps the two runs apart.`,
        );
    }
    return this.runDir;
  }

  async start(run: RunInfo): Promise<ExportResult> {
    return this.startSync(run);
  }

  /** Creates the run directory and the event file now (local and quick; the pipeline may call it inline). */
  startSync(run: RunInfo): ExportResult {
    if (this.writer) return EXPORT_OK;
    this.run = run;
    try {
      this.chooseRunDir(run);
    } catch (e) {
      return failure(e);
    }
    const writer = new EventFileWriter(this.runDir!, {
      ...this.options,
      onError: (e) =>
        this.logger.errorOnce(
          `tb-io:${(e as NodeJS.ErrnoException).code ?? e.message}`,
          `TensorBoard event file write failed (${e.message}); will retry on the next flush.`,
        ),
    });
    try {
      writer.openSync(run.startTime, this.options.purgeOnResume === false ? undefined : restartStep(run));
    } catch (e) {
      // An unwritable directory is reported at once; a transient error (EMFILE, ENOSPC…) is retried.
      return failure(e);
    }
    this.writer = writer;
    return EXPORT_OK;
  }

  async export(batch: readonly TrackingRecord[]): Promise<ExportResult> {
    const w = this.writer;
    if (!w) return NOT_STARTED;
    const result = this.encode(w, batch);
    if (++this.batches >= this.maxQueue) {
      this.batches = 0;
      // The write runs in the background (one write per flush, in order); wait only when the disk falls behind.
      const written = w.flush();
      if (w.writesInFlight > 2) await written;
    }
    return result;
  }

  /**
   * The same batch written before returning (the pipeline calls it when its queue is full and the caller
   * has not yielded): encoded like `export`, then written with `writeSync` once enough is buffered, so
   * memory stays bounded by about `flushBytes`.
   */
  exportSync(batch: readonly TrackingRecord[]): ExportResult {
    const w = this.writer;
    if (!w) return NOT_STARTED;
    const result = this.encode(w, batch);
    if (++this.batches >= this.maxQueue || w.pendingBytes >= (this.options.flushBytes ?? 1 << 20)) {
      this.batches = 0;
      w.flushSync();
    }
    return result;
  }

  /** Encodes a batch into the writer's buffer, in order; records that cannot be encoded come back in `remaining`. */
  private encode(w: EventFileWriter, batch: readonly TrackingRecord[]): ExportResult {
    const dropping = this.stepPolicy === 'drop';
    // One record that can't be encoded is skipped and reported; the rest of the batch is still written.
    const bad: TrackingRecord[] = [];
    let firstError: Error | undefined;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      try {
        if (r.kind === 'scalar') {
          if (r.step > 0x7fffffff && this.hparamsWritten) this.warnBigStep(r.name);
          const wall = r.wallTime;
          if (!w.appendScalar(r.name, r.step, wall - wall === 0 ? wall / 1000 : Date.now() / 1000, r.value, dropping)) this.nonIncreasing(r.name, r.step);
        } else this.exportOther(w, r);
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        firstError ??= error;
        bad.push(r);
        const name = recordName(r);
        this.logger.warnOnce(`tb-bad-record:${r.kind}:${name}`, `TensorBoard: ${r.kind} "${name}" could not be written (${error.message}); skipped.`);
      }
    }
    if (bad.length > 0) {
      // Not retryable (the same record fails again); `remaining` tells the pipeline which ones failed.
      const error = new Error(`TensorBoard: ${bad.length} of ${batch.length} records could not be written (first: ${firstError!.message})`, {
        cause: firstError,
      });
      return failure(error, { retryable: false, remaining: bad });
    }
    return EXPORT_OK;
  }

  private nonIncreasing(tag: string, step: number): void {
    if (this.stepPolicy === 'drop') {
      this.dropped++;
      this.logger.warnOnce(`tb-step:${tag}`, `TensorBoard: "${tag}" got step ${step}, not above its previous step; dropped (stepPolicy 'drop').`);
    } else {
      this.logger.warnOnce(
        `tb-step:${tag}`,
        `TensorBoard: "${tag}" got step ${step}, not above its previous step; written anyway (TensorBoard's data server keeps only the newest value ` +
          `for a step and drops older points at higher steps).`,
      );
    }
  }

  private warnBigStep(tag: string): void {
    this.logger.warnOnce(
      'tb-hparams-big-step',
      `TensorBoard: "${tag}" has a step above 2^31−1 in a run with hyperparameters; ` +
        `TensorBoard's HPARAMS tab fails on such metric steps (its proto field is int32).`,
    );
  }

  /** Steps of non-scalar tags: same policy as scalars. Returns false to skip the record. */
  private stepOk(tag: string, step: number): boolean {
    const last = this.lastStep.get(tag);
    this.lastStep.set(tag, last === undefined ? step : Math.max(last, step));
    if (last === undefined || step > last) return true;
    if (this.stepPolicy === 'drop') {
      this.dropped++;
      this.logger.warnOnce(`tb-step:${tag}`, `TensorBoard: "${tag}" got step ${step}, not above its previous step; dropped (stepPolicy 'drop').`);
      return false;
    }
    this.logger.warnOnce(
      `tb-step:${tag}`,
      `TensorBoard: "${tag}" got step ${step}, not above its previous step; written anyway (the data server keeps the newest).`,
    );
    return true;
  }

  private exportOther(w: EventFileWriter, r: TrackingRecord): void {
    switch (r.kind) {
      case 'histogram': {
        if (!this.stepOk(r.name, r.step)) return;
        const h = histogramData(r, this.logger);
        if (!h) {
          this.dropped++;
          return;
        }
        w.appendSummary(secsOf(r.wallTime), r.step, [valueHistogram(r.name, h)]);
        return;
      }
      case 'image': {
        if (!this.stepOk(r.name, r.step)) return;
        const first = w.firstUse(r.name);
        const md = first ? { pluginName: 'images', description: r.caption } : undefined;
        w.appendSummary(secsOf(r.wallTime), r.step, [valueImage(r.name, imageData(r), md)]);
        return;
      }
      case 'text': {
        if (!this.stepOk(r.name, r.step)) return;
        w.appendSummary(secsOf(r.wallTime), r.step, [valueText(r.name, r.text, w.firstUse(r.name) ? TEXT_METADATA : undefined)]);
        return;
      }
      case 'table': {
        if (!this.stepOk(r.name, r.step)) return;
        this.appendText(w, r.name, r.step, r.wallTime, markdownTable(r.columns, r.rows));
        return;
      }
      case 'confusion_matrix': {
        if (!this.stepOk(r.name, r.step)) return;
        // Rows are the actual class, columns the predicted one (as W&B and scikit-learn lay it out).
        const rows = r.counts.map((counts, a) => [r.classNames[a]!, ...counts]);
        this.appendText(w, r.name, r.step, r.wallTime, markdownTable(['actual \\ predicted', ...r.classNames], rows));
        return;
      }
      case 'pr_curve': {
        if (!this.stepOk(r.name, r.step)) return;
        const md = w.firstUse(r.name) ? prCurveMetadata(r.thresholds.length) : undefined;
        w.appendSummary(secsOf(r.wallTime), r.step, [valuePrCurve(r.name, r, md)]);
        return;
      }
      case 'audio': {
        if (!this.stepOk(r.name, r.step)) return;
        const md = w.firstUse(r.name) ? AUDIO_METADATA : undefined;
        w.appendSummary(secsOf(r.wallTime), r.step, [valueAudio(r.name, r.wav, r.caption ?? '', md)]);
        return;
      }
      case 'tags': {
        Object.assign(this.runTags, r.tags);
        const rows = Object.entries(this.runTags).map(([k, v]) => [k, v]);
        this.appendText(w, 'tags', this.tagWrites++, r.wallTime, markdownTable(['tag', 'value'], rows));
        return;
      }
      case 'note': {
        this.appendText(w, 'note', this.noteWrites++, r.wallTime, r.text);
        return;
      }
      case 'dataset': {
        // One `datasets` text, a step per dataset logged: what the run used, as MLflow's dataset inputs show it.
        this.appendText(w, 'datasets', this.datasetWrites++, r.wallTime, markdownTable(['field', 'value'], datasetRows(r)));
        return;
      }
      case 'config': {
        const text = '```json\n' + safeJson(toJsonSafe(r.config)) + '\n```';
        w.appendSummary(secsOf(r.wallTime), 0, [valueText('config', text, w.firstUse('config') ? TEXT_METADATA : undefined)]);
        return;
      }
      case 'summary': {
        const rows = Object.entries(r.values).map(([k, v]) => `| ${escapeCell(k)} | ${escapeCell(String(v))} |`);
        const text = ['| name | value |', '|---|---|', ...rows].join('\n');
        w.appendSummary(secsOf(r.wallTime), 0, [valueText('summary', text, w.firstUse('summary') ? TEXT_METADATA : undefined)]);
        return;
      }
      case 'hparams': {
        if (this.hparamsWritten) {
          this.logger.warnOnce(
            'tb-hparams-again',
            'TensorBoard keeps only the first hyperparameters of a run; later logHyperparams calls are not shown there.',
          );
          return;
        }
        const startSecs = secsOf(this.run?.startTime ?? r.wallTime);
        const params = r.params as Record<string, HparamValue>;
        const values = [];
        if (this.options.hparamsExperiment) {
          values.push(valuePluginOnly(HPARAMS_TAGS.experiment, { pluginName: 'hparams', content: hparamsExperiment(params, r.metrics, startSecs) }));
        }
        values.push(
          valuePluginOnly(HPARAMS_TAGS.sessionStart, { pluginName: 'hparams', content: hparamsSessionStart(params, startSecs, this.run?.group ?? '') }),
        );
        w.appendSummary(secsOf(r.wallTime), 0, values);
        this.hparamsWritten = true; // only once written: hparams that failed to encode don't block later ones
        return;
      }
      default:
        return;
    }
  }

  /** Markdown under `tag` (TensorBoard's text plugin), with the text metadata on the tag's first value. */
  private appendText(w: EventFileWriter, tag: string, step: number, wallTime: number, text: string): void {
    w.appendSummary(secsOf(wallTime), step, [valueText(tag, text, w.firstUse(tag) ? TEXT_METADATA : undefined)]);
  }

  async forceFlush(): Promise<void> {
    await this.writer?.flush();
  }

  async shutdown(outcome: RunOutcome): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    const w = this.writer;
    if (!w) return;
    try {
      if (this.hparamsWritten) {
        const content = hparamsSessionEnd(STATUS[outcome.status] ?? HPARAMS_STATUS.unknown, Date.now() / 1000);
        w.appendSummary(Date.now() / 1000, 0, [valuePluginOnly(HPARAMS_TAGS.sessionEnd, { pluginName: 'hparams', content })]);
      }
    } catch (e) {
      this.logger.errorOnce('tb-shutdown', `TensorBoard: could not write the session end (${(e as Error).message}).`);
    }
    await w.close();
  }

  runIds(): Record<string, string> {
    return this.runDir ? { logDir: this.runDir } : {};
  }

  /** The run directory and the command that shows it. */
  describeRun(): RunDescription | undefined {
    return this.runDir ? { location: this.runDir, commands: [`tensorboard --logdir ${shellQuote(this.runDir)}`] } : undefined;
  }

  /** A child run (`Tracker.child`): the same settings, writing to `<this run's directory>/<child name>`. */
  child(_run: ChildRun): ExporterV1<TensorBoardNative> {
    return new TensorBoardExporter(this.options, this);
  }

  native(): TensorBoardNative {
    return { writer: this.writer, runDir: this.runDir };
  }
}

/** The step a resumed run continues at (a whole number), or undefined for a new run. */
function restartStep(run: RunInfo): number | undefined {
  const step = run.resumeStep;
  return typeof step === 'number' && Number.isSafeInteger(step) && step >= 0 ? step : undefined;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2) ?? 'null';
  } catch {
    return '"(config could not be serialised)"';
  }
}

function recordName(r: TrackingRecord): string {
  return 'name' in r && typeof r.name === 'string' ? r.name : r.kind;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function histogramData(r: HistogramRecord, logger: Logger): HistogramData | undefined {
  if (r.buckets) {
    const b = r.buckets;
    const problem = bucketsProblem(b);
    // Thrown, so export() skips this record, warns and reports it as failed.
    if (problem) throw new Error(`malformed histogram buckets: ${problem}`);
    return { min: b.min, max: b.max, num: b.count, sum: b.sum, sumSquares: b.sumSquares, bucketLimits: b.bucketLimits, bucketCounts: b.bucketCounts };
  }
  const h = bucketValues(r.values ?? []);
  if (h.nonFinite > 0)
    logger.warnOnce(`tb-hist-nan:${r.name}`, `TensorBoard: histogram "${r.name}" had NaN/Infinity values; they are left out (TensorBoard can't chart them).`);
  if (h.num === 0) {
    logger.warnOnce(`tb-hist-empty:${r.name}`, `TensorBoard: histogram "${r.name}" has no finite values; skipped.`);
    return undefined;
  }
  return h;
}

function imageData(r: ImageRecord): { width: number; height: number; colorspace: number; encoded: Uint8Array } {
  const img = r.image;
  if ('data' in img) {
    return { width: img.width, height: img.height, colorspace: img.channels, encoded: encodePng(img) };
  }
  return { width: img.width, height: img.height, colorspace: img.channels ?? 0, encoded: img.bytes };
}

/** A dataset record as field/value rows (the schema as `name: type` pairs, the profile as JSON). */
function datasetRows(r: DatasetRecord): string[][] {
  return [
    ['name', r.name],
    ['digest', r.digest],
    ['source', r.source],
    ['source type', r.sourceType],
    ...(r.context !== undefined ? [['context', r.context]] : []),
    ...(r.schema ? [['schema', r.schema.map((c) => `${c.name}: ${c.type}`).join(', ')]] : []),
    ...(r.profile ? [['profile', JSON.stringify(r.profile)]] : []),
    ...Object.entries(r.tags).map(([k, v]) => [`tag ${k}`, v]),
  ];
}
