import { ExporterLane, withTimeout } from './lane.js';
import type { Logger } from './logger.js';
import type { FullQueuePolicy } from './overflow.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';
import type { RetryPolicy } from './retry.js';
import {
  RECORD_KINDS,
  type BackendCloseReport,
  type ExporterV1,
  type PipelineStats,
  type RecordKind,
  type RunInfo,
  type RunOutcome,
  type TrackingRecord,
} from './spec.js';

export type { FullQueuePolicy } from './overflow.js';

export interface BatchOptions {
  /** Records per export call. */
  maxBatchSize: number;
  /** A partial batch is sent after this long, ms. */
  scheduledDelayMs: number;
  /** Records waiting per exporter before the full-queue policy applies. */
  maxQueueSize: number;
  /** An export (or start) that has not settled after this long counts as a retryable failure, ms. */
  exportTimeoutMs: number;
}

export const DEFAULT_BATCH_OPTIONS: BatchOptions = Object.freeze({
  maxBatchSize: 1000,
  scheduledDelayMs: 1000,
  maxQueueSize: 200_000,
  exportTimeoutMs: 30_000,
});

export interface PipelineOptions {
  exporters: readonly ExporterV1[];
  run: RunInfo;
  batch?: Partial<BatchOptions>;
  retry?: Partial<RetryPolicy>;
  /**
   * Full queue: one policy for all exporters, or per exporter name. Default 'keep' (nothing lost: local
   * writers write inline, others spill to the spool); see `FullQueuePolicy`.
   */
  fullQueue?: FullQueuePolicy | Readonly<Record<string, FullQueuePolicy>>;
  /** Directory for spool files (policies `spill` and `keep`). Default `metrics-spool` in the cwd. */
  spillDir?: string;
  logger: Logger;
  /** Run ids from a saved handle, keyed by exporter name: each exporter gets its own in `RunInfo.resume`. */
  resumeIds?: Record<string, Record<string, string>>;
}

/**
 * The one pipeline every tracker uses. Callers `push` records (synchronous, cheap); records collect into
 * a batch that is sealed by size or by timer and handed to one lane per exporter. Each lane has a bounded
 * queue, exactly one export in flight, retries with backoff, and its own counters, so a slow or failing
 * backend never delays the caller or the other backends.
 */
export class Pipeline {
  private current: TrackingRecord[] = [];
  private currentMixed = false;
  private readonly lanes: ExporterLane[];
  private readonly batch: BatchOptions;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  accepted = 0;
  skipped = 0;

  constructor(private readonly options: PipelineOptions) {
    this.batch = { ...DEFAULT_BATCH_OPTIONS, ...options.batch };
    const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.lanes = options.exporters.map((exporter) => new ExporterLane(exporter, options, this.batch, retry, kindsTakenByOthers(exporter, options.exporters)));
    logRouting(options.exporters, options.logger);
    // Start every run now (create it on the server, open the file) so it exists even if nothing is logged.
    for (const lane of this.lanes) lane.kick();
    this.timer = setInterval(() => this.seal(), this.batch.scheduledDelayMs);
    this.timer.unref();
  }

  push(record: TrackingRecord): void {
    this.accepted++;
    // Most batches hold scalars only: then no lane needs to filter by capability.
    if (record.kind !== 'scalar') this.currentMixed = true;
    const current = this.current;
    current.push(record);
    if (current.length >= this.batch.maxBatchSize) this.seal();
  }

  /** Hands the records collected so far to every lane. */
  seal(): void {
    const batch = this.current;
    if (batch.length === 0) return;
    const scalarsOnly = !this.currentMixed;
    this.current = [];
    this.currentMixed = false;
    for (const lane of this.lanes) lane.enqueue(batch, scalarsOnly);
  }

  /** Resolves when every record pushed so far is exported or given up on (or `timeoutMs` passes). */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.seal();
    await keepingProcessAlive(withTimeout(Promise.all(this.lanes.map((l) => l.drained().then(() => l.forceFlush()))), timeoutMs));
  }

  /** Flushes within `timeoutMs`, then shuts every exporter down with the outcome. Idempotent (later calls: []). */
  async shutdown(outcome: RunOutcome, timeoutMs: number): Promise<BackendCloseReport[]> {
    if (this.closed) return [];
    this.closed = true;
    clearInterval(this.timer);
    this.seal();
    const deadline = Date.now() + timeoutMs;
    return keepingProcessAlive(Promise.all(this.lanes.map((l) => l.close(outcome, deadline))));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  stats(): PipelineStats {
    return { accepted: this.accepted, skipped: this.skipped, exporters: this.lanes.map((l) => l.snapshot()) };
  }

  runIds(): Record<string, Record<string, string>> {
    const ids: Record<string, Record<string, string>> = {};
    for (const lane of this.lanes) {
      try {
        ids[lane.exporter.name] = { ...lane.exporter.runIds() };
      } catch {
        // an exporter that cannot say its ids yet has none to resume
      }
    }
    return ids;
  }
}

/** Record kinds at least one of the other exporters takes. */
function kindsTakenByOthers(exporter: ExporterV1, all: readonly ExporterV1[]): ReadonlySet<RecordKind> {
  const kinds = new Set<RecordKind>();
  for (const other of all) if (other !== exporter) for (const kind of other.capabilities) kinds.add(kind);
  return kinds;
}

/** Kinds a backend lacks but another takes are routed past it silently: listed once, at debug. */
function logRouting(exporters: readonly ExporterV1[], logger: Logger): void {
  const lines: string[] = [];
  for (const exporter of exporters) {
    const others = kindsTakenByOthers(exporter, exporters);
    const routed = RECORD_KINDS.filter((kind) => !exporter.capabilities.has(kind) && others.has(kind));
    if (routed.length > 0) lines.push(`${exporter.name} takes no ${routed.join(', ')} records`);
  }
  if (lines.length > 0) logger.debug(`Routing by capability (those records go to the other backends only): ${lines.join('; ')}.`);
}

/**
 * Our timers are unref'd so they never keep a finished program alive. While the user awaits a flush or
 * close, though, the program is not finished: hold one ref'd handle so Node does not exit mid-way.
 */
function keepingProcessAlive<T>(promise: Promise<T>): Promise<T> {
  const handle = setInterval(() => {}, 1 << 30);
  return promise.finally(() => clearInterval(handle));
}
