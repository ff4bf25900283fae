import { join, resolve } from 'node:path';
import { errorMessage, ExportError } from './errors.js';
import type { Logger } from './logger.js';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './retry.js';
import { RECORD_KINDS, type BackendCloseReport, type ExporterStats, type ExporterV1, type ExportResult, type PipelineStats, type RecordKind, type RunInfo, type RunOutcome, type TrackingRecord } from './spec.js';
import { Spool } from './spool.js';
import { spoolFileName } from './spool-files.js';

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

/** What happens to records when an exporter's queue is full or its retry deadline passes. */
export type FullQueuePolicy = 'drop' | 'spill';

export interface PipelineOptions {
  exporters: readonly ExporterV1[];
  run: RunInfo;
  batch?: Partial<BatchOptions>;
  retry?: Partial<RetryPolicy>;
  /** One policy for all exporters, or per exporter name (e.g. spill only for a remote backend). */
  fullQueue?: FullQueuePolicy | Readonly<Record<string, FullQueuePolicy>>;
  /** Directory for spool files (policy `spill`). */
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

class ExporterLane {
  private readonly queue: (readonly TrackingRecord[])[] = [];
  private queued = 0;
  private pumping: Promise<void> | undefined;
  private started = false;
  private dead = false;
  private spool: Spool | undefined;
  private closing = false;
  private readonly stats: ExporterStats;
  private readonly supportsAll: boolean;
  private readonly supportsScalars: boolean;
  private readonly policy: FullQueuePolicy;
  private waiters: (() => void)[] = [];
  private spillBuffer: (readonly TrackingRecord[])[] = [];
  private spillBuffered = 0;
  private spillScheduled = false;
  /** The exporter said at start it has nowhere to send (by configuration): spooling is the plan. */
  private offline = false;
  private abortWait: (() => void) | undefined;
  /** The last attempt failed (the backend is down or refusing); cleared by a success. */
  private failing = false;
  /** Set by close() when spooling: failed attempts still allowed before the rest goes to the spool. */
  private closeAttemptsLeft: number | undefined;
  /** A flush or shutdown error, for the close report. */
  private endError: string | undefined;
  /** Why the spool could not be written, for the close report. */
  private spoolError: string | undefined;

  constructor(
    readonly exporter: ExporterV1,
    private readonly options: PipelineOptions,
    private readonly batch: BatchOptions,
    private readonly retry: RetryPolicy,
    /** Kinds this exporter lacks that another takes: skipped here without a warning. */
    private readonly routedElsewhere: ReadonlySet<RecordKind> = new Set(),
  ) {
    const fq = options.fullQueue;
    this.policy = typeof fq === 'string' ? fq : (fq?.[exporter.name] ?? 'drop');
    this.stats = { name: exporter.name, exported: 0, failed: 0, retried: 0, dropped: 0, spilled: 0, unsupported: 0, queued: 0 };
    this.supportsScalars = exporter.capabilities.has('scalar');
    this.supportsAll = (['scalar', 'histogram', 'image', 'text', 'hparams', 'config', 'summary', 'artifact'] as RecordKind[]).every((k) =>
      exporter.capabilities.has(k),
    );
  }

  enqueue(batch: readonly TrackingRecord[], scalarsOnly = false): void {
    let records = batch;
    if (!this.supportsAll && !(scalarsOnly && this.supportsScalars)) {
      const caps = this.exporter.capabilities;
      records = batch.filter((r) => caps.has(r.kind));
      const unsupported = batch.length - records.length;
      if (unsupported > 0) {
        this.stats.unsupported += unsupported;
        for (const r of batch)
          if (!caps.has(r.kind) && !this.routedElsewhere.has(r.kind))
            this.options.logger.warnOnce(`unsupported:${this.exporter.name}:${r.kind}`, `${this.exporter.name} does not support ${r.kind} records; they are skipped for it.`);
      }
      if (records.length === 0) return;
    }
    if (this.dead) return this.policy === 'spill' ? this.spillSoon(records) : this.countFailed(records, 'the exporter failed permanently');
    if (this.queued + records.length > this.batch.maxQueueSize || (this.spool?.pending ?? 0) > 0 || this.spillBuffered > 0) {
      // Keep order: once anything is spilled, later records go behind it on disk.
      if (this.policy === 'spill') return this.spillSoon(records);
      this.stats.dropped += records.length;
      this.options.logger.warnOnce(`queue-full:${this.exporter.name}`, `${this.exporter.name} queue is full (${this.batch.maxQueueSize} records); dropping records (counted in stats).`);
      return;
    }
    this.queue.push(records);
    this.queued += records.length;
    this.kick();
  }

  kick(): void {
    // The pump starts in a microtask, not inside the caller's log() that sealed a batch: encoding and
    // writing a batch is the exporter's work, done once the caller's synchronous code has returned.
    if (!this.pumping) this.pumping = Promise.resolve().then(() => this.pump()).finally(() => {
      this.pumping = undefined;
      if (!this.closing && !this.dead && (this.queue.length > 0 || (this.spool?.pending ?? 0) > 0)) this.kick();
      else this.notifyDrained();
    });
  }

  private async pump(): Promise<void> {
    let firstAttemptAt = 0;
    let attempt = 0;
    for (;;) {
      if (this.dead) {
        if (this.policy === 'spill') {
          // To disk now (a crash must not lose them), in front of anything spooled already: that is newer.
          const older = this.queue.splice(0).flat();
          this.queued = 0;
          if (older.length) this.spill(older, 'front');
        } else while (this.queue.length) this.countFailed(this.takeHead(), 'the exporter failed permanently');
        return;
      }
      let batch = this.queue[0];
      if (batch === undefined && this.started) {
        const fromDisk = this.spool?.take(this.batch.maxBatchSize) ?? [];
        if (fromDisk.length === 0) return;
        this.queue.push(fromDisk);
        this.queued += fromDisk.length;
        batch = fromDisk;
      }
      if (attempt === 0) firstAttemptAt = Date.now();
      attempt++;
      const result = this.started ? await this.call(() => this.exporter.export(batch!)) : await this.startRun();
      this.failing = !result.ok;
      if (result.ok) {
        if (this.started) {
          this.takeHead();
          this.stats.exported += batch!.length;
        } else this.started = true;
        attempt = 0;
        continue;
      }
      this.stats.lastError = errorMessage(result.error);
      const what = this.started ? 'export' : 'start';
      const wait = retryDelay(attempt, this.retry, result.retryAfterMs);
      // With a spool, records never need to be given up on for time: memory stays bounded because
      // new records go to disk. Without one, a deadline bounds how long a batch is retried.
      const pastDeadline =
        this.policy !== 'spill' && (Date.now() - firstAttemptAt + wait > this.retry.deadlineMs || attempt >= this.retry.maxAttempts);
      if (!result.retryable || (this.started && pastDeadline)) {
        if (!this.started && this.policy === 'spill' && ExportError.isInstance(result.error) && result.error.offline) {
          this.offline = true;
          this.options.logger.info(`${this.exporter.name}: ${this.stats.lastError}.`);
        } else if (!this.started && this.policy === 'spill')
          // Nothing is lost (everything goes to the spool for a replay), so a warning, not an error.
          this.options.logger.warnOnce(`err:${this.exporter.name}:${what}`, `${this.exporter.name} cannot start the run (${this.stats.lastError}); records are spooled for a replay.`);
        else this.options.logger.errorOnce(`err:${this.exporter.name}:${what}`, `${this.exporter.name} ${what} failed: ${this.stats.lastError}`);
        if (!this.started) {
          this.dead = true;
          continue;
        }
        const undelivered = result.remaining ?? batch!;
        this.stats.exported += batch!.length - undelivered.length;
        this.takeHead();
        // Rejected by the backend: sending them again can't succeed, so they are never spooled.
        if (!result.retryable) this.countFailed(undelivered, this.stats.lastError);
        else this.giveUp(undelivered, this.stats.lastError);
        attempt = 0;
        continue;
      }
      this.options.logger.errorOnce(`err:${this.exporter.name}:${what}`, `${this.exporter.name} ${what} failed, retrying with backoff: ${this.stats.lastError}`);
      if (batch && this.started) {
        this.stats.retried += result.remaining?.length ?? batch.length;
        if (result.remaining) {
          // Part of the batch arrived: count it, retry only the rest.
          this.stats.exported += batch.length - result.remaining.length;
          this.queued -= batch.length - result.remaining.length;
          this.queue[0] = result.remaining;
        }
      }
      // close() takes over what is left (when spooling, after one retry at most: a dead backend must not hold close to its deadline).
      if (this.closeAttemptsLeft !== undefined && --this.closeAttemptsLeft <= 0) this.closing = true;
      if (this.closing) return;
      await this.sleep(wait);
    }
  }

  private async startRun(): Promise<ExportResult> {
    const run = this.options.run;
    const own = this.options.resumeIds?.[this.exporter.name];
    return this.call(() => this.exporter.start(own ? { ...run, resume: own } : run));
  }

  private takeHead(): readonly TrackingRecord[] {
    const head = this.queue.shift() ?? [];
    this.queued -= head.length;
    return head;
  }

  /**
   * Records that can't be delivered now: to disk when spilling (also when the run could not be started,
   * so a replay can create it later), otherwise counted as failed.
   */
  private giveUp(records: readonly TrackingRecord[], reason: string): void {
    if (this.policy === 'spill') return this.spill(records);
    this.countFailed(records, reason);
  }

  private countFailed(records: readonly TrackingRecord[], reason: string): void {
    if (records.length === 0) return;
    this.stats.failed += records.length;
    this.options.logger.warnOnce(`lost:${this.exporter.name}`, `${this.exporter.name}: records could not be delivered (${reason}); counted as failed.`);
  }

  /** Records JSON cannot encode (a BigInt in a custom record, say) are left out of the spool: counted as failed. */
  private countUnencodable(n: number): void {
    if (n === 0) return;
    this.stats.spilled -= n;
    this.stats.failed += n;
    this.options.logger.errorOnce(`spill-encode:${this.exporter.name}`, `${this.exporter.name}: ${n} record(s) cannot be written to the spool (not JSON-encodable); counted as failed.`);
  }

  private newSpool(): Spool {
    // The header names the run from the start (ids known at creation, see `prepare`), so a spool left by a crash
    // still replays into the right run; close() rewrites it with the ids known by then.
    let runIds: Record<string, string> = {};
    try {
      runIds = { ...this.exporter.runIds() };
    } catch {
      // none yet
    }
    return new Spool(join(this.options.spillDir ?? 'metrics-spool', spoolFileName(this.options.run, this.exporter.name)), { $spool: 1, exporter: this.exporter.name, run: this.options.run, runIds });
  }

  /**
   * Spilling means encoding and writing: not on the caller's log() path. Records wait in memory until the
   * caller's synchronous code returns (a microtask), or are written at once past `maxQueueSize` of them,
   * so a loop that never yields still has bounded memory.
   */
  private spillSoon(records: readonly TrackingRecord[]): void {
    this.spillBuffer.push(records);
    this.spillBuffered += records.length;
    if (this.spillBuffered >= this.batch.maxQueueSize) return this.flushSpillBuffer();
    if (!this.spillScheduled) {
      this.spillScheduled = true;
      queueMicrotask(() => this.flushSpillBuffer());
    }
  }

  private flushSpillBuffer(): void {
    this.spillScheduled = false;
    if (this.spillBuffered === 0) return;
    const records = this.spillBuffer.length === 1 ? this.spillBuffer[0]! : this.spillBuffer.flat();
    this.spillBuffer = [];
    this.spillBuffered = 0;
    this.spill(records);
  }

  /**
   * Writes records to the spool: at the end, or in `front` of what is there (records that were queued in
   * memory are older than any already spooled).
   */
  private spill(records: readonly TrackingRecord[], where: 'end' | 'front' = 'end'): void {
    try {
      this.spool ??= this.newSpool();
      this.countUnencodable(where === 'front' ? this.spool.prepend(records) : this.spool.append(records));
      this.stats.spilled += records.length;
      if (!this.offline) this.options.logger.warnOnce(`spill:${this.exporter.name}`, `${this.exporter.name} is behind or unreachable; spooling records to ${this.spool.path}.`);
      if (!this.closing && !this.dead) this.kick();
    } catch (error) {
      this.spoolFailed(records.length, error);
    }
  }

  private spoolFailed(count: number, error: unknown): void {
    this.stats.failed += count;
    this.spoolError = `cannot write spool: ${errorMessage(error)}`;
    this.options.logger.errorOnce(`spill-fail:${this.exporter.name}`, `${this.exporter.name}: cannot write spool: ${errorMessage(error)}`);
  }

  private async call(fn: () => Promise<ExportResult>): Promise<ExportResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(fn),
        new Promise<ExportResult>((resolve) => {
          timer = setTimeout(
            () => resolve({ ok: false, retryable: true, error: new Error(`timed out after ${this.batch.exportTimeoutMs} ms`) }),
            this.batch.exportTimeoutMs,
          );
          timer.unref();
        }),
      ]);
    } catch (error) {
      // Exporters must not throw; if one does anyway, treat it as a retryable failure.
      return { ok: false, retryable: true, error: error instanceof Error ? error : new Error(String(error)) };
    } finally {
      clearTimeout(timer);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      this.abortWait = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  drained(): Promise<void> {
    this.flushSpillBuffer();
    if (!this.pumping && this.queue.length === 0 && (this.spool?.pending ?? 0) === 0) return Promise.resolve();
    if (!this.pumping && this.dead) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notifyDrained(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  async forceFlush(): Promise<void> {
    if (!this.started) return;
    try {
      await this.exporter.forceFlush();
    } catch (error) {
      this.endError = `flush failed: ${errorMessage(error)}`;
      this.options.logger.errorOnce(`flush:${this.exporter.name}`, `${this.exporter.name} flush failed: ${errorMessage(error)}`);
    }
  }

  async close(outcome: RunOutcome, deadline: number): Promise<BackendCloseReport> {
    const remainingMs = () => Math.max(0, deadline - Date.now());
    this.flushSpillBuffer();
    if (this.policy === 'spill') {
      // Nothing is lost by spooling, so a failing backend gets one more attempt (now, not after the backoff),
      // a healthy one a failure and one retry; then the rest is spooled instead of retried until the deadline.
      this.closeAttemptsLeft = this.failing ? 1 : 2;
      if (this.failing) this.abortWait?.();
    }
    await withTimeout(this.drained(), remainingMs());
    // Past the deadline: stop retrying; whatever is still queued goes to the spool (or is counted lost).
    this.closing = true;
    this.abortWait?.();
    if (this.pumping) await withTimeout(this.pumping, Math.min(remainingMs() + 1000, this.batch.exportTimeoutMs));
    // Past the deadline, records still in memory go to the spool (in front: they are older) or count as lost.
    let older: TrackingRecord[] = [];
    if (this.policy === 'spill') {
      older = this.queue.splice(0).flat();
      this.queued = 0;
    }
    while (this.queue.length) this.giveUp(this.takeHead(), 'the run closed before they could be delivered');
    if (this.started) {
      await withTimeout(this.forceFlush(), remainingMs() + 1000);
      try {
        await withTimeout(this.exporter.shutdown(outcome), remainingMs() + 1000);
      } catch (error) {
        this.endError = `shutdown failed: ${errorMessage(error)}`;
        this.options.logger.errorOnce(`shutdown:${this.exporter.name}`, `${this.exporter.name} shutdown failed: ${errorMessage(error)}`);
      }
    }
    let ids: Record<string, string> = {};
    try {
      ids = this.exporter.runIds();
    } catch {
      // no ids
    }
    let left: { path: string; remaining: number; unencodable: number } | undefined;
    try {
      if (older.length) {
        this.spool ??= this.newSpool();
        this.stats.spilled += older.length;
      }
      left = this.spool?.finish(ids, older);
      if (left) this.countUnencodable(left.unencodable);
    } catch (error) {
      this.spoolFailed(older.length, error);
    }
    if (left) {
      const waiting = `${this.exporter.name}: ${left.remaining} records are waiting in ${left.path}; send them later with: ${this.replayCommand(left.path)}`;
      if (this.offline) this.options.logger.info(waiting);
      else this.options.logger.warn(waiting);
    }
    return this.report(left && left.remaining > 0 ? resolve(left.path) : undefined);
  }

  /** The lane's outcome for the close report: its counters, plus where the exporter says the run is. */
  private report(spoolPath: string | undefined): BackendCloseReport {
    const { name, exported, failed, dropped, lastError } = this.stats;
    const lost = failed + dropped;
    // Lost records or an end that went wrong outweigh a spool; a spool (replayable) outweighs a run never started.
    const status = lost > 0 || this.endError ? 'failed' : spoolPath !== undefined ? 'spooled' : this.started ? 'ok' : 'failed';
    const report: BackendCloseReport = { name, status, points: exported };
    if (status === 'spooled' && this.offline) report.offline = true;
    let described: ReturnType<NonNullable<ExporterV1['describeRun']>>;
    try {
      described = this.exporter.describeRun?.({ spoolPath });
    } catch {
      // an exporter that cannot describe its run just has no summary lines
    }
    const location = described?.location ?? spoolPath;
    if (location !== undefined) report.location = location;
    if (described?.commands?.length) report.commands = [...described.commands];
    if (status !== 'ok') {
      const parts = [!this.started ? `the run could not be started${lastError ? ` (${lastError})` : ''}` : lastError, lost > 0 ? `${lost} records lost` : undefined, this.spoolError, this.endError];
      if (spoolPath !== undefined) parts.push(`records wait in ${spoolPath}`);
      report.error = [...new Set(parts.filter((p): p is string => !!p))].join('; ');
    }
    return report;
  }

  private replayCommand(path: string): string {
    try {
      return this.exporter.replayCommand?.(path) ?? "the backend's replay command";
    } catch {
      return "the backend's replay command";
    }
  }

  snapshot(): ExporterStats {
    return { ...this.stats, queued: this.queued + this.spillBuffered + (this.spool?.pending ?? 0) };
  }
}

/**
 * Our timers are unref'd so they never keep a finished program alive. While the user awaits a flush or
 * close, though, the program is not finished: hold one ref'd handle so Node does not exit mid-way.
 */
function keepingProcessAlive<T>(promise: Promise<T>): Promise<T> {
  const handle = setInterval(() => {}, 1 << 30);
  return promise.finally(() => clearInterval(handle));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (!Number.isFinite(ms)) return promise;
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
