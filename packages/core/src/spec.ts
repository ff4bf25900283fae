/**
 * The @metrics tracker specification, version 1.
 *
 * Records are plain objects. Exporters (one per backend) receive them in batches from the one shared
 * pipeline (see `pipeline.ts`); they never queue, batch or retry on their own, and never throw.
 */

export const SPECIFICATION_VERSION = 'v1' as const;
export type SpecificationVersion = typeof SPECIFICATION_VERSION;

/** Canonical step: an integer in 0 … 2^53−1. Wall time: milliseconds since the Unix epoch. */
export interface Timed {
  step: number;
  wallTime: number;
}

export interface ScalarPoint extends Timed {
  kind: 'scalar';
  name: string;
  value: number;
}

/**
 * A histogram, either from raw values (the backend buckets them its own way) or pre-computed:
 * `bucketLimits[i]` is the right edge of bucket i and `bucketCounts[i]` its count (TensorBoard's layout);
 * the left edge of bucket 0 is `min`.
 */
export interface HistogramRecord extends Timed {
  kind: 'histogram';
  name: string;
  values?: ArrayLike<number>;
  buckets?: {
    min: number;
    max: number;
    count: number;
    sum: number;
    sumSquares: number;
    bucketLimits: number[];
    bucketCounts: number[];
  };
}

/** Raw pixels, row-major, `channels` interleaved 8-bit samples (1 = grey, 3 = RGB, 4 = RGBA). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** An already-encoded image. */
export interface EncodedImage {
  mimeType: 'image/png' | 'image/jpeg';
  bytes: Uint8Array;
  width: number;
  height: number;
  channels?: number;
}

export interface ImageRecord extends Timed {
  kind: 'image';
  name: string;
  image: RawImage | EncodedImage;
  caption?: string;
}

export interface TextRecord extends Timed {
  kind: 'text';
  name: string;
  /** Markdown. */
  text: string;
}

export type HyperparamValue = string | number | boolean;

export interface HyperparamsRecord {
  kind: 'hparams';
  wallTime: number;
  params: Record<string, HyperparamValue>;
  /** Metric names the runs should be compared on (TensorBoard's HPARAMS tab, MLflow charts). */
  metrics: string[];
}

export interface ConfigRecord {
  kind: 'config';
  wallTime: number;
  /** Nested JSON-able run configuration. */
  config: Record<string, unknown>;
}

export interface SummaryRecord {
  kind: 'summary';
  wallTime: number;
  values: Record<string, number | string | boolean>;
}

export interface ArtifactRecord {
  kind: 'artifact';
  wallTime: number;
  /** Absolute local path to a file or directory. */
  localPath: string;
  /** Destination directory inside the run's artifact store ('' = root). */
  artifactPath: string;
  /** What it is: 'model', 'dataset', 'config' … (W&B's rule: letters, digits, '-', '_', '.'). */
  type?: string;
  /** W&B artifact name (versions of one name form a collection); default: the file or directory name. */
  name?: string;
  /** W&B aliases besides `latest`, which every new version gets. */
  aliases?: string[];
  /** The run consumed it rather than produced it (W&B: logged, then used by the run: an input in its lineage). */
  input?: boolean;
}

/** `logArtifact`'s options. */
export interface ArtifactOptions {
  /** Destination directory inside the run's artifact store ('' = root). */
  artifactPath?: string;
  /** What it is: 'model' (W&B's default), 'dataset', 'config' … Letters, digits, '-', '_', '.'. */
  type?: string;
  /** W&B artifact name: 1 to 128 letters, digits, '-', '_', '.'. Default: the file or directory name. */
  name?: string;
  /** W&B aliases besides `latest` (e.g. `best`): no '/' or ':'. */
  aliases?: string[];
  /** The run consumed it (W&B `use_artifact`: an input of the run); default: the run produced it. */
  input?: boolean;
}

/** One table cell: what every backend's table format carries (JSON scalars). */
export type TableCell = string | number | boolean | null;

/** `logTable`'s data: column names, then rows of as many cells. */
export interface TableData {
  columns: string[];
  rows: TableCell[][];
}

export interface TableRecord extends Timed {
  kind: 'table';
  name: string;
  columns: string[];
  rows: TableCell[][];
}

/** `logPrCurve`'s data: binary ground truth and the predicted probability of the positive class. */
export interface PrCurveData {
  /** 1/true = positive, 0/false = negative. */
  labels: ArrayLike<number | boolean>;
  /** Probabilities in [0, 1], one per label. */
  predictions: ArrayLike<number>;
  /** Thresholds `i / (n − 1)`, i = 0 … n − 1 (2 … 10 000). Default 201 (TensorBoard's). */
  numThresholds?: number;
}

/**
 * A precision–recall curve, computed once in the tracker: at threshold i a prediction ≥ `thresholds[i]`
 * counts as positive. Precision and recall divide by max(denominator, 1e-7) (TensorBoard's rule).
 */
/** A PR curve's columns at thresholds `i / (n − 1)`: a prediction ≥ the threshold counts as positive. */
export interface PrCurvePoints {
  thresholds: number[];
  truePositives: number[];
  falsePositives: number[];
  trueNegatives: number[];
  falseNegatives: number[];
  precision: number[];
  recall: number[];
}

export interface PrCurveRecord extends Timed, PrCurvePoints {
  kind: 'pr_curve';
  name: string;
}

/** `logConfusionMatrix`'s data: class names and, per example, the actual and predicted class (index or name). */
export interface ConfusionMatrixData {
  classNames: string[];
  actual: ArrayLike<number | string>;
  predicted: ArrayLike<number | string>;
}

export interface ConfusionMatrixRecord extends Timed {
  kind: 'confusion_matrix';
  name: string;
  classNames: string[];
  /** `counts[a][p]`: examples of actual class a predicted as class p. */
  counts: number[][];
}

/** `logAudio`'s data: interleaved samples in [-1, 1] (louder ones are clipped), `channels` per frame. */
export interface AudioData {
  sampleRate: number;
  channels: number;
  samples: ArrayLike<number>;
}

/** Audio, encoded once in the tracker as a 16-bit PCM WAV file (what every backend stores). */
export interface AudioRecord extends Timed {
  kind: 'audio';
  name: string;
  sampleRate: number;
  channels: number;
  frames: number;
  wav: Uint8Array;
  caption?: string;
}

/** Tags set during the run (`setTags`); later values of a key replace earlier ones. */
export interface RunTagsRecord {
  kind: 'tags';
  wallTime: number;
  tags: Record<string, string>;
}

/** The run's description (`setNote`), Markdown; the last one wins. */
export interface RunNoteRecord {
  kind: 'note';
  wallTime: number;
  text: string;
}

/** A column of a dataset's schema: its name and type (MLflow's types: `double`, `long`, `string`, `boolean` …). */
export interface DatasetColumn {
  name: string;
  type: string;
}

/**
 * `logDataset`'s data: the dataset a run used, described (not uploaded). `digest` identifies the content
 * (a hash the caller computed; without it the tracker derives one from the description); `source` is where
 * it lives (a URI or path); `context` is what the run used it for (`training`, `validation`, `evaluation` …).
 */
export interface DatasetData {
  name: string;
  source: string;
  /** At most 36 characters (MLflow's limit). Default: 8 hex characters of a SHA-256 of the description. */
  digest?: string;
  /** MLflow's source type; default from the URI: `http` for http(s), `s3`/`gs`/`hdfs` … for those schemes, else `local`. */
  sourceType?: string;
  schema?: DatasetColumn[];
  /** Summary statistics (row count, …): JSON scalars. */
  profile?: Record<string, string | number | boolean>;
  context?: string;
  /** More tags on the run's use of the dataset. */
  tags?: Record<string, string>;
}

/** A dataset the run used (`logDataset`): MLflow dataset input, TensorBoard text; checked, digest filled in. */
export interface DatasetRecord {
  kind: 'dataset';
  wallTime: number;
  name: string;
  digest: string;
  source: string;
  sourceType: string;
  schema?: DatasetColumn[];
  profile?: Record<string, string | number | boolean>;
  context?: string;
  tags: Record<string, string>;
}

export type TrackingRecord =
  | ScalarPoint
  | HistogramRecord
  | ImageRecord
  | TextRecord
  | HyperparamsRecord
  | ConfigRecord
  | SummaryRecord
  | ArtifactRecord
  | TableRecord
  | PrCurveRecord
  | ConfusionMatrixRecord
  | AudioRecord
  | RunTagsRecord
  | RunNoteRecord
  | DatasetRecord;

export type RecordKind = TrackingRecord['kind'];
export const RECORD_KINDS: readonly RecordKind[] = [
  'scalar',
  'histogram',
  'image',
  'text',
  'hparams',
  'config',
  'summary',
  'artifact',
  'table',
  'pr_curve',
  'confusion_matrix',
  'audio',
  'tags',
  'note',
  'dataset',
];

/**
 * Kinds that only some backends have a concept of: a backend takes them only when it names them
 * (`withOptInKinds`), so a backend written before the kind existed counts them as unsupported
 * instead of silently dropping them in its `export`.
 */
export const OPT_IN_KINDS: readonly RecordKind[] = ['dataset'];

/**
 * Every record kind but the given ones (and but the opt-in kinds, unless listed in `including`): a
 * backend's capabilities, named by what it cannot take.
 */
export function kindsExcept(...excluded: RecordKind[]): ReadonlySet<RecordKind> {
  return new Set(RECORD_KINDS.filter((kind) => !excluded.includes(kind) && !OPT_IN_KINDS.includes(kind)));
}

/** `kindsExcept(...)` plus the named opt-in kinds: `withOptInKinds(kindsExcept('histogram'), 'dataset')`. */
export function withOptInKinds(kinds: ReadonlySet<RecordKind>, ...optIn: RecordKind[]): ReadonlySet<RecordKind> {
  return new Set([...kinds, ...optIn]);
}

/** What the pipeline tells an exporter about the run when it starts. */
export interface RunInfo {
  /** Experiment (TensorBoard: parent directory; MLflow: experiment; W&B: project). */
  experiment: string;
  /** Human-readable run name; unique within the experiment by default. */
  runName: string;
  /**
   * This exporter's own ids from a saved run handle (what its `runIds()` returned then), to resume the
   * same run: e.g. `{ runId: '…' }` for MLflow. Undefined for a new run.
   */
  resume?: Record<string, string>;
  /**
   * The saved handle's step when the tracker resumes one: the run continues there, so points an earlier
   * attempt logged at or above it are stale (TensorBoard hides them). Undefined for a new run.
   */
  resumeStep?: number;
  /** Run group (W&B group, MLflow tag), e.g. for the ranks of one distributed job. */
  group?: string;
  /**
   * This process's rank when every rank of a distributed job logs its own run of `group`. MLflow makes the
   * run a child of the group's parent run (created by rank 0); W&B groups it; TensorBoard gives it its own directory.
   */
  rank?: number;
  tags: Record<string, string>;
  /** Milliseconds since the Unix epoch. */
  startTime: number;
}

/** How the run ended: FINISHED, FAILED (crash) or KILLED (signal). */
export type RunOutcome = { status: 'finished' } | { status: 'failed'; exitCode?: number; error?: unknown } | { status: 'killed'; signal?: string };

export type ExportResult =
  | { ok: true }
  | {
      ok: false;
      error: Error;
      /** True when trying the same records again may succeed (network, 429, 5xx). */
      retryable: boolean;
      /** Server-requested wait (Retry-After), in milliseconds. */
      retryAfterMs?: number;
      /**
       * Records of the batch that were NOT delivered. When absent, nothing was delivered.
       * Lets an exporter that splits a batch into several requests avoid duplicates on retry.
       */
      remaining?: readonly TrackingRecord[];
    };

export const EXPORT_OK: ExportResult = Object.freeze({ ok: true }) as ExportResult;

/** What a backend implements. */
export interface ExporterV1<Native = unknown> {
  readonly specificationVersion: SpecificationVersion;
  /** Short lowercase id: 'tensorboard', 'mlflow', 'wandb', or a custom one. */
  readonly name: string;
  /** Record kinds this exporter can write; others are never sent to it (counted as unsupported). */
  readonly capabilities: ReadonlySet<RecordKind>;
  /**
   * Optional: how many `export` calls the pipeline may have in flight at once (default 1). Above 1, batches
   * of scalars may arrive out of order (fine for a store that orders points by step); a batch holding any
   * other kind is exported alone, after every earlier batch settled and before any later one starts, so
   * params, tags and files keep their order. For remote backends where latency, not the client, is the limit.
   */
  readonly maxInFlight?: number;
  /**
   * Called once before the first export. May be slow (create a run over the network); the pipeline
   * queues records meanwhile. A failure is retried like an export.
   */
  start(run: RunInfo): Promise<ExportResult>;
  /**
   * Optional, synchronous, called once when the tracker is created (before `start`): fix the ids that can be
   * known locally (a generated run id, a run directory) so `runIds()` — and so `Tracker.runHandle()` — has
   * them before the event loop turns, e.g. for a checkpoint written inside a synchronous training loop.
   * `start` receives the same run. Never throws; what fails here is done (and reported) by `start`.
   */
  prepare?(run: RunInfo): void;
  /** Optional: the shell command that sends a spool file of this exporter later (shown when records are spooled). */
  replayCommand?(spoolPath: string): string;
  /** Deliver one batch. Never throws: failures come back as `{ ok: false }`. */
  export(batch: readonly TrackingRecord[]): Promise<ExportResult>;
  /**
   * Optional, for local writers (a file on this machine): start the run before returning, like `start`.
   * Must be idempotent with `start` (either may come first; the run is created once).
   */
  startSync?(run: RunInfo): ExportResult;
  /**
   * Optional, for local writers: deliver one batch before returning (e.g. `fs.writeSync`), in order after
   * every batch already passed to `export` (take records in at the call, not after an await). The pipeline
   * calls it on the caller's path when the queue is full, one bounded batch at a time, so a loop that never
   * yields keeps its data with bounded memory. A retryable failure means nothing was written; the records
   * go to the spool instead. Never throws.
   */
  exportSync?(batch: readonly TrackingRecord[]): ExportResult;
  /**
   * Optional: `exportSync` is cheap on the caller's path (it hands the batch to a thread of the exporter's own,
   * or encodes it into memory, as a local file writer does). When a batch is sealed and the caller has not
   * yielded since the previous one (two batches wait), the pipeline calls it for the waiting batches at once
   * (while no export is in flight) instead of queueing them until the caller yields: in a loop that never
   * yields the exporter's thread works beside the loop, and records do not wait (and age) in the queue. A
   * retryable "not now" keeps the batch queued as usual. Read at every sealed batch (an exporter may stop
   * handing off, say when its thread died).
   */
  readonly exportSyncOnSeal?: boolean;
  /** Make everything exported so far durable (flush files, finish in-flight requests). */
  forceFlush(): Promise<void>;
  /** End the run with its outcome and release resources. Called once. */
  shutdown(outcome: RunOutcome): Promise<void>;
  /** Backend ids to store in a run handle so a later process can resume the same run (run id, file path). */
  runIds(): Record<string, string>;
  /** Escape hatch to the backend's own handle (writer, client, run). */
  native(): Native;
  /**
   * Optional: where this run is and how to look at it, for the end-of-run summary. Called after
   * `shutdown`; `spoolPath` is set when records wait in a spool file for a replay.
   */
  describeRun?(context: { spoolPath?: string }): RunDescription | undefined;
  /**
   * Optional, for a backend with a queue and retries of its own after `export` (W&B online's file_stream):
   * its counters, shown in `stats()` beside the lane's as `backend`. Must be cheap and never throw.
   */
  queueStats?(): BackendQueueStats;
  /**
   * Optional: an exporter for a child run of this exporter's run (`Tracker.child`, e.g. a cross-validation fold):
   * MLflow nests it under this run (`mlflow.parentRunId`), W&B puts it in this run's group with a job type,
   * TensorBoard writes it to a sub-directory of this run's. Called synchronously, after `prepare`; the child is
   * prepared, started, exported to and shut down by a pipeline of its own, like any exporter. Never throws.
   * A tracker with an exporter without `child` logs its children to the other backends only (said once).
   */
  child?(child: ChildRun): ExporterV1;
}

/** What `ExporterV1.child` is told about the child run (its `RunInfo` arrives with `prepare`/`start`). */
export interface ChildRun {
  /** The name the caller gave `Tracker.child` (also the child's `RunInfo.runName`). */
  name: string;
  /** What the child is ('fold', 'trial'): the W&B job type. Default: the child's name. */
  jobType: string;
}

/** `Tracker.child`'s options. */
export interface ChildOptions {
  /** Tags of the child run, over the parent's tracker tags. */
  tags?: Record<string, string>;
  /** What the child is ('fold', 'trial'): W&B's job type. Default: the child's name. */
  jobType?: string;
}

/** A backend's own queue and retries, past the lane (counted in the backend's units, e.g. W&B history lines). */
export interface BackendQueueStats {
  /** Items waiting in the backend's own queue. */
  queued: number;
  /** Requests the backend retried itself (429, 5xx, dropped connections). */
  retried: number;
  /** Items lost after `export` took them: too large for the server, or in a request that failed for good. */
  dropped: number;
  /** Requests that failed for good. */
  failed: number;
}

/** What an exporter says about its run at the end: a place and the commands to view or upload it. */
export interface RunDescription {
  /** A directory, file or URL. */
  location: string;
  /** Exact shell commands (or URLs) that view or upload the run, e.g. `tensorboard --logdir runs/mnist`. */
  commands?: string[];
}

/**
 * One backend at close: `ok` (everything delivered and the run ended), `spooled` (records wait in a
 * spool file for a replay) or `failed` (records lost, or the run could not be created or ended).
 */
export interface BackendCloseReport {
  name: string;
  status: 'ok' | 'spooled' | 'failed';
  /** Records delivered to the backend. */
  points: number;
  /** Where the run (or its spool) is. */
  location?: string;
  /** Commands to view or upload it (from the exporter's `describeRun`). */
  commands?: string[];
  /** Why it is not ok. */
  error?: string;
  /**
   * Spooled because the backend has nowhere to send by configuration (MLflow without a tracking URI):
   * the spool is the plan, not an outage.
   */
  offline?: boolean;
}

/** What `close()` resolves to: `ok` only when every backend is ok. */
export interface CloseReport {
  ok: boolean;
  status: RunOutcome['status'];
  backends: BackendCloseReport[];
}

export type Exporter<Native = unknown> = ExporterV1<Native>;

/** Counters kept by the pipeline, per exporter and in total. */
export interface ExporterStats {
  name: string;
  exported: number;
  failed: number;
  retried: number;
  dropped: number;
  spilled: number;
  unsupported: number;
  queued: number;
  lastError?: string;
  /** The backend's own queue and retries after `export`, when it keeps any (`ExporterV1.queueStats`). */
  backend?: BackendQueueStats;
}

export interface PipelineStats {
  /** Records accepted from the caller (after validation). */
  accepted: number;
  /** Records rejected by validation (warn mode) or aggregation-filtered. */
  skipped: number;
  exporters: ExporterStats[];
}

export interface LogOptions {
  /** Integer step; defaults to the tracker's own counter (previous step + 1). */
  step?: number;
  /** Milliseconds since the epoch; defaults to now. */
  wallTime?: number;
}

/** A serialisable handle: store it in a checkpoint, pass it back to resume the same runs at the right step. */
export interface RunHandle {
  specificationVersion: SpecificationVersion;
  experiment: string;
  runName: string;
  step: number;
  /** Each exporter's `runIds()`, keyed by exporter name. */
  runIds: Record<string, Record<string, string>>;
}

/** What users call. Every method returns immediately; nothing here waits on I/O except flush/close. */
export interface Tracker {
  /** Log scalars by name at one step. */
  log(values: Readonly<Record<string, number>>, options?: LogOptions): void;
  logHyperparams(params: Readonly<Record<string, HyperparamValue>>, options?: { metrics?: string[] }): void;
  logHistogram(name: string, values: ArrayLike<number> | NonNullable<HistogramRecord['buckets']>, options?: LogOptions): void;
  logImage(name: string, image: RawImage | EncodedImage, options?: LogOptions & { caption?: string }): void;
  logText(name: string, text: string, options?: LogOptions): void;
  logConfig(config: Readonly<Record<string, unknown>>): void;
  setSummary(values: Readonly<Record<string, number | string | boolean>>): void;
  /** A file or directory: MLflow run artifact, W&B artifact (created, uploaded, committed). */
  logArtifact(localPath: string, options?: ArtifactOptions): void;
  /** A table of JSON scalars (W&B table, MLflow `log_table` JSON, TensorBoard Markdown). */
  logTable(name: string, table: TableData, options?: LogOptions): void;
  /** A binary precision–recall curve (TensorBoard PR curves, W&B `pr_curve` chart, MLflow table). */
  logPrCurve(name: string, data: PrCurveData, options?: LogOptions): void;
  /** A confusion matrix (W&B `confusion_matrix` chart, MLflow table, TensorBoard Markdown table). */
  logConfusionMatrix(name: string, data: ConfusionMatrixData, options?: LogOptions): void;
  /** Audio as a WAV file (TensorBoard audio, W&B audio, MLflow artifact). */
  logAudio(name: string, audio: AudioData, options?: LogOptions & { caption?: string }): void;
  /** Sets run tags at any time (MLflow tags, W&B tags, TensorBoard text); values are strings. */
  setTags(tags: Readonly<Record<string, string>>): void;
  /** Sets the run's description, Markdown (MLflow `mlflow.note.content`, W&B notes, TensorBoard text). */
  setNote(markdown: string): void;
  /**
   * Records a dataset the run used: its name, digest, source, schema and context (MLflow dataset input with
   * the `mlflow.data.context` tag; TensorBoard a text table; backends without the concept count it unsupported).
   */
  logDataset(dataset: DatasetData): void;
  /** The step the next stepless `log` call will use. */
  readonly step: number;
  /** Wait until everything logged so far is exported (or given up on). */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Flush (bounded by `timeoutMs`), end the runs with this outcome, release resources. Idempotent: later
   * calls resolve to the first call's report. Never rejects: what went wrong is in the report.
   */
  close(outcome?: RunOutcome, options?: { timeoutMs?: number }): Promise<CloseReport>;
  /** `close({ status: 'failed', error })`: ends every run FAILED (MLflow FAILED, W&B exit code 1). */
  fail(error?: unknown, options?: { timeoutMs?: number }): Promise<CloseReport>;
  stats(): PipelineStats;
  runHandle(): RunHandle;
  /**
   * A tracker for a child run of this one (a cross-validation fold, a hyperparameter trial): MLflow nests it
   * under this run, W&B puts it in this run's group with a job type, TensorBoard writes it to `<run>/<name>`.
   * It has its own step clock and stats and this tracker's settings; close it (`await using`, `close`, `fail`)
   * when it is done, or this tracker's close closes it with the same outcome. A child that fails leaves this
   * run as it is. An empty name, or an unknown or mistyped option, throws at once.
   */
  child(name: string, options?: ChildOptions): Tracker;
  [Symbol.asyncDispose](): Promise<void>;
}
