import { resolve } from 'node:path';
import { errorMessage, ExportError } from './errors.js';
import { failure } from './failure.js';
import { LaneQueue } from './lane-queue.js';
import { LaneState } from './lane-state.js';
import { Overflow } from './overflow.js';
import type { BatchOptions, PipelineOptions } from './pipeline.js';
import { retryDelay, type RetryPolicy } from './retry.js';
import {
  RECORD_KINDS,
  type RecordKind,
  type BackendCloseReport,
  type ExporterStats,
  type ExporterV1,
  type ExportResult,
  type RunInfo,
  type RunOutcome,
  type TrackingRecord,
} from './spec.js';

/**
 * One exporter's lane: a bounded queue, up to the exporter's `maxInFlight` exports in flight (one unless it
 * says more), retries with backoff, its own counters. Its phase is a `LaneState`; what happens when the queue is full is its `Overflow`.
 */
export class ExporterLane {
  private readonly queue = new LaneQueue();
  private readonly state = new LaneState();
  private readonly overflow: Overflow;
  /** Settles when the last worker has returned; undefined while none runs. */
  private pumping: Promise<void> | undefined;
  private pumpingDone: (() => void) | undefined;
  /** Workers running `pump`: one until the run is started, then up to `maxInFlight`, each with one batch in flight. */
  private workers = 0;
  /** How many exports may be in flight at once: the exporter's `maxInFlight` (default 1). */
  private readonly maxInFlight: number;
  private readonly stats: ExporterStats;
  private readonly supportsAll: boolean;
  private readonly supportsScalars: boolean;
  private waiters: (() => void)[] = [];
  /** Workers waiting out a backoff: close() wakes them. */
  private readonly sleepers = new Set<() => void>();
  /** The last attempt failed (the backend is down or refusing); cleared by a success. */
  private failing = false;
  /** Set by close() when spooling: failed attempts still allowed before the rest goes to the spool. */
  private closeAttemptsLeft: number | undefined;
  /** A flush or shutdown error, for the close report. */
  private endError: string | undefined;

  constructor(
    readonly exporter: ExporterV1,
    private readonly options: PipelineOptions,
    private readonly batch: BatchOptions,
    private readonly retry: RetryPolicy,
    /** Kinds this exporter lacks that another takes: skipped here without a warning. */
    private readonly routedElsewhere: ReadonlySet<RecordKind> = new Set(),
  ) {
    const fq = options.fullQueue;
    const policy = typeof fq === 'string' ? fq : (fq?.[exporter.name] ?? 'keep');
    this.stats = { name: exporter.name, exported: 0, failed: 0, retried: 0, dropped: 0, spilled: 0, unsupported: 0, queued: 0 };
    this.overflow = new Overflow(exporter, this.stats, {
      policy,
      run: options.run,
      spillDir: options.spillDir,
      maxQueueSize: batch.maxQueueSize,
      logger: options.logger,
      startSync: () => this.startSync(),
      countFailed: (records, reason) => this.countFailed(records, reason),
    });
    this.supportsScalars = exporter.capabilities.has('scalar');
    const k = exporter.maxInFlight ?? 1;
    this.maxInFlight = Number.isInteger(k) && k >= 1 ? k : 1;
    // Every kind, the structured and opt-in ones too: a backend lacking any of them gets its batches filtered.
    this.supportsAll = RECORD_KINDS.every((k) => exporter.capabilities.has(k));
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
            this.options.logger.warnOnce(
              `unsupported:${this.exporter.name}:${r.kind}`,
              `${this.exporter.name} does not support ${r.kind} records; they are skipped for it.`,
            );
      }
      if (records.length === 0) return;
    }
    if (this.state.failed) return this.giveUp(records, 'the exporter failed permanently');
    if (this.overflow.admits(this.queue, records.length)) {
      this.queue.push(records);
      if (this.exporter.exportSyncOnSeal === true) this.overflow.handOff(this.queue, this.state.active);
    } else this.overflow.full(records, this.queue, this.state.active);
    this.kick();
  }

  kick(): void {
    if (this.workers === 0) this.addWorker();
    else this.addWorkers();
  }

  /** Up to `maxInFlight` workers once the run is started, one per batch waiting (the spool counts as many). */
  private addWorkers(): void {
    if (!this.state.started || !this.state.active || this.queue.blocked) return;
    while (this.workers < this.maxInFlight && this.workers < this.queue.inFlight + this.queue.idle + (this.overflow.pending > 0 ? this.maxInFlight : 0))
      this.addWorker();
  }

  private addWorker(): void {
    if (this.workers++ === 0) this.pumping = new Promise((resolve) => (this.pumpingDone = resolve));
    // A worker starts in a microtask, not inside the caller's log() that sealed a batch: encoding and
    // writing a batch is the exporter's work, done once the caller's synchronous code has returned.
    void Promise.resolve()
      .then(() => this.pump())
      .finally(() => {
        if (--this.workers > 0) return;
        this.pumpingDone?.();
        this.pumping = undefined;
        if (this.state.active && (this.queue.length > 0 || this.overflow.pending > 0)) this.kick();
        else this.notifyDrained();
      });
  }

  /** Batches whose order matters to the backend (anything but scalars: params, tags, files) go alone. */
  private readonly alone = (batch: readonly TrackingRecord[]): boolean => batch.some((r) => r.kind !== 'scalar');

  /** The oldest batch no worker is exporting: from memory, else (nothing idle there) from the spool. */
  private claim(): readonly TrackingRecord[] | undefined {
    if (this.maxInFlight === 1) return this.queue.claim() ?? this.claimFromDisk();
    const batch = this.queue.idle > 0 ? this.queue.claim(this.alone) : this.claimFromDisk();
    // More waiting than workers: another worker takes the next one.
    if (batch !== undefined) this.addWorkers();
    return batch;
  }

  private claimFromDisk(): readonly TrackingRecord[] | undefined {
    const fromDisk = this.overflow.take(this.batch.maxBatchSize);
    if (fromDisk.length === 0) return undefined;
    this.queue.push(fromDisk);
    return this.queue.claim(this.maxInFlight > 1 ? this.alone : undefined);
  }

  /** One worker: starts the run (the first worker only), then exports claimed batches until none is left. */
  private async pump(): Promise<void> {
    this.overflow.yielded();
    let firstAttemptAt = 0;
    let attempt = 0;
    let batch: readonly TrackingRecord[] | undefined;
    for (;;) {
      if (this.state.failed) {
        if (this.overflow.spillsUndelivered)
          // To disk now (a crash must not lose them), in front of anything spooled already: that is newer.
          this.overflow.spill(this.queue.drain(), 'front');
        else while (this.queue.length) this.countFailed(this.queue.shift(), 'the exporter failed permanently');
        return;
      }
      // close() is past waiting: it spools or counts what is queued (a claimed batch too). Taking more from
      // the spool now would leave those records in memory only.
      if (this.state.closing) return;
      // Captured before the await: startSync may start the run while an async start is in flight.
      const exporting = this.state.started;
      if (exporting) {
        batch ??= this.claim();
        if (batch === undefined) return;
      }
      if (attempt === 0) firstAttemptAt = Date.now();
      attempt++;
      const sending = batch;
      const result = await this.call(() => (sending ? this.exporter.export(sending) : this.exporter.start(this.runInfo())));
      if (sending) this.overflow.yielded(); // the export settled: the event loop ran, so the caller is not stuck in a loop
      this.failing = !result.ok;
      if (result.ok) {
        if (sending) {
          this.queue.settle(sending);
          this.stats.exported += sending.length;
          batch = undefined;
        } else {
          this.state.startSucceeded();
          this.addWorkers();
        }
        attempt = 0;
        continue;
      }
      this.stats.lastError = errorMessage(result.error);
      const what = sending ? 'export' : 'start';
      const wait = retryDelay(attempt, this.retry, result.retryAfterMs);
      // With a spool, records never need to be given up on for time: memory stays bounded because
      // new records go to disk. Without one, a deadline bounds how long a batch is retried.
      const pastDeadline =
        !this.overflow.spillsUndelivered && (Date.now() - firstAttemptAt + wait > this.retry.deadlineMs || attempt >= this.retry.maxAttempts);
      if (!result.retryable || (sending && pastDeadline)) {
        if (!sending && this.overflow.spillsUndelivered && ExportError.isInstance(result.error) && result.error.offline) {
          // Nowhere to send by configuration (say, no tracking URI): spooling is the plan, said once at info.
          this.overflow.offline = true;
          this.options.logger.info(`${this.exporter.name}: ${this.stats.lastError}.`);
        } else if (!sending && this.overflow.spillsUndelivered)
          // Nothing is lost (everything goes to the spool for a replay), so a warning, not an error.
          this.options.logger.warnOnce(
            `err:${this.exporter.name}:${what}`,
            `${this.exporter.name} cannot start the run (${this.stats.lastError}); records are spooled for a replay.`,
          );
        else this.options.logger.errorOnce(`err:${this.exporter.name}:${what}`, `${this.exporter.name} ${what} failed: ${this.stats.lastError}`);
        if (!sending) {
          if (!this.state.started && !this.state.closing) this.state.to('failed');
          continue;
        }
        const undelivered = result.remaining ?? sending;
        this.stats.exported += sending.length - undelivered.length;
        this.queue.settle(sending);
        batch = undefined;
        // Rejected by the backend: sending them again can't succeed, so they are never spooled.
        if (!result.retryable) this.countFailed(undelivered, this.stats.lastError);
        else this.giveUp(undelivered, this.stats.lastError);
        attempt = 0;
        continue;
      }
      this.options.logger.errorOnce(
        `err:${this.exporter.name}:${what}`,
        `${this.exporter.name} ${what} failed, retrying with backoff: ${this.stats.lastError}`,
      );
      if (sending) {
        this.stats.retried += result.remaining?.length ?? sending.length;
        if (result.remaining) {
          // Part of the batch arrived: count it, retry only the rest.
          this.stats.exported += sending.length - result.remaining.length;
          batch = this.queue.replace(sending, result.remaining);
        }
      }
      // close() takes over what is left (when spooling, after one retry at most: a dead backend must not hold close to its deadline).
      if (this.closeAttemptsLeft !== undefined && --this.closeAttemptsLeft <= 0) this.state.to('closing');
      if (this.state.closing) return;
      await this.sleep(wait);
    }
  }

  private runInfo(): RunInfo {
    const run = this.options.run;
    const own = this.options.resumeIds?.[this.exporter.name];
    return own ? { ...run, resume: own } : run;
  }

  /** For an inline write: start the run now if the exporter can (a local file). True once the run is started. */
  private startSync(): boolean {
    if (this.state.started) return true;
    if (!this.exporter.startSync) return false;
    let result: ExportResult;
    try {
      result = this.exporter.startSync(this.runInfo());
    } catch (error) {
      result = failure(error);
    }
    // A failure is left to the async start, which retries and reports it.
    if (result.ok) this.state.startSucceeded();
    return result.ok;
  }

  /**
   * Records that can't be delivered now: to disk when spilling (also when the run could not be started,
   * so a replay can create it later), otherwise counted as failed.
   */
  private giveUp(records: readonly TrackingRecord[], reason: string): void {
    if (this.overflow.spillsUndelivered) return this.overflow.spill(records);
    this.countFailed(records, reason);
  }

  private countFailed(records: readonly TrackingRecord[], reason: string): void {
    if (records.length === 0) return;
    this.stats.failed += records.length;
    this.options.logger.warnOnce(`lost:${this.exporter.name}`, `${this.exporter.name}: records could not be delivered (${reason}); counted as failed.`);
  }

  private async call(fn: () => Promise<ExportResult>): Promise<ExportResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(fn),
        new Promise<ExportResult>((resolve) => {
          timer = setTimeout(() => resolve(failure(new Error(`timed out after ${this.batch.exportTimeoutMs} ms`))), this.batch.exportTimeoutMs);
          timer.unref();
        }),
      ]);
    } catch (error) {
      // Exporters must not throw; if one does anyway, treat it as a retryable failure.
      return failure(error);
    } finally {
      clearTimeout(timer);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleepers = this.sleepers;
      const timer = setTimeout(done, ms);
      timer.unref();
      sleepers.add(done);
      function done() {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      }
    });
  }

  /** Ends every worker's backoff wait now. */
  private abortWaits(): void {
    for (const done of [...this.sleepers]) done();
  }

  drained(): Promise<void> {
    if (!this.pumping && this.queue.length === 0 && this.overflow.pending === 0) return Promise.resolve();
    if (!this.pumping && !this.state.active) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notifyDrained(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  async forceFlush(): Promise<void> {
    if (!this.state.started) return;
    try {
      await this.exporter.forceFlush();
    } catch (error) {
      this.endError = `flush failed: ${errorMessage(error)}`;
      this.options.logger.errorOnce(`flush:${this.exporter.name}`, `${this.exporter.name} flush failed: ${errorMessage(error)}`);
    }
  }

  async close(outcome: RunOutcome, deadline: number): Promise<BackendCloseReport> {
    const remainingMs = () => Math.max(0, deadline - Date.now());
    if (this.overflow.spillsUndelivered) {
      // Nothing is lost by spooling, so a failing backend gets one more attempt (now, not after the backoff),
      // a healthy one a failure and one retry; then the rest is spooled instead of retried until the deadline.
      this.closeAttemptsLeft = this.failing ? 1 : 2;
      if (this.failing) this.abortWaits();
    }
    await withTimeout(this.drained(), remainingMs());
    // Past the deadline: stop retrying; whatever is still queued goes to the spool (or is counted lost).
    this.state.to('closing');
    this.abortWaits();
    if (this.pumping) await withTimeout(this.pumping, Math.min(remainingMs() + 1000, this.batch.exportTimeoutMs));
    // Records still in memory go to the spool (in front: they are older) or count as lost.
    const older = this.overflow.spillsUndelivered ? this.queue.drain() : [];
    while (this.queue.length) this.giveUp(this.queue.shift(), 'the run closed before they could be delivered');
    if (this.state.started) {
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
    const left = this.overflow.finish(ids, older, (path) => this.replayCommand(path));
    return this.report(left && left.remaining > 0 ? resolve(left.path) : undefined);
  }

  /** The lane's outcome for the close report: its counters, plus where the exporter says the run is. */
  private report(spoolPath: string | undefined): BackendCloseReport {
    const { name, exported, failed, dropped, lastError } = this.stats;
    const lost = failed + dropped;
    const started = this.state.started;
    // Lost records or an end that went wrong outweigh a spool; a spool (replayable) outweighs a run never started.
    // A backend offline by configuration that got nothing to spool (a parent run whose records went to its
    // children, say) followed its plan: no run on a server was wanted.
    const planned = !started && this.overflow.offline;
    const status = lost > 0 || this.endError ? 'failed' : spoolPath !== undefined || planned ? 'spooled' : started ? 'ok' : 'failed';
    const report: BackendCloseReport = { name, status, points: exported };
    if (status === 'spooled' && this.overflow.offline) report.offline = true;
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
      const parts = [
        !started ? `the run could not be started${lastError ? ` (${lastError})` : ''}` : lastError,
        lost > 0 ? `${lost} records lost` : undefined,
        this.overflow.spoolError,
        this.endError,
      ];
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
    const stats: ExporterStats = { ...this.stats, queued: this.queue.size + this.overflow.pending };
    try {
      const backend = this.exporter.queueStats?.();
      if (backend) stats.backend = { ...backend };
    } catch {
      // a backend that cannot count now just shows none
    }
    return stats;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
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
