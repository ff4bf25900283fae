import { join } from 'node:path';
import { errorMessage } from './errors.js';
import { failure } from './failure.js';
import type { LaneQueue } from './lane-queue.js';
import type { Logger } from './logger.js';
import type { ExporterStats, ExporterV1, ExportResult, RunInfo, TrackingRecord } from './spec.js';
import { Spool } from './spool.js';
import { spoolFileName } from './spool-files.js';

/**
 * What happens to records when an exporter's queue is full (nothing ran for a while: a loop that never
 * yields, or a slow backend):
 * - 'keep' (default): nothing is lost. An exporter that can write synchronously (a local file: TensorBoard,
 *   W&B offline) writes the oldest queued records inline, a bounded amount per sealed batch, and keeps
 *   doing so (catching up) until the caller yields; any other (a server) spills the new records to the
 *   spool synchronously, sent once the caller yields.
 * - 'spill': always to the spool; also records a backend could not take within the retry deadline.
 * - 'drop': counted in `stats().dropped`.
 */
export type FullQueuePolicy = 'keep' | 'spill' | 'drop';

export interface OverflowOptions {
  policy: FullQueuePolicy;
  run: RunInfo;
  spillDir: string | undefined;
  maxQueueSize: number;
  logger: Logger;
  /** Starts the run synchronously if the exporter can (for the first inline write); true once started. */
  startSync(): boolean;
  countFailed(records: readonly TrackingRecord[], reason: string): void;
}

/**
 * One lane's overflow strategy: the spool, inline writes and drops behind one entry point (`full`).
 * Order is kept: queued records are older than spooled ones, so once anything is spooled, newer records go
 * behind it on disk, and inline writes take the queue's oldest batch, then the spool's.
 */
export class Overflow {
  private spool: Spool | undefined;
  private readonly inline: boolean;
  private readonly hasSync: boolean;
  /** The exporter has nowhere to send by configuration: spooling is the plan, not a problem (info, not warnings). */
  offline = false;
  /** Why the spool could not be written, for the close report. */
  spoolError: string | undefined;
  /**
   * The queue filled and the caller has not yielded since: every sealed batch takes the inline path (about
   * two batches written per batch sealed) until the queue is empty, and then each batch is written one seal
   * after it was sealed. Records then live for one batch instead of a whole queue, so a loop that never
   * yields does not promote every record to the old generation. Cleared when the lane's pump runs.
   */
  private catchingUp = false;

  constructor(
    private readonly exporter: ExporterV1,
    private readonly stats: ExporterStats,
    private readonly options: OverflowOptions,
  ) {
    this.hasSync = typeof exporter.exportSync === 'function';
    this.inline = options.policy === 'keep' && this.hasSync;
  }

  /** Records waiting on disk. */
  get pending(): number {
    return this.spool?.pending ?? 0;
  }

  /** Records that cannot be delivered in time (deadline, failed start, close) go to the spool. */
  get spillsUndelivered(): boolean {
    return this.options.policy === 'spill';
  }

  /** Whether `incoming` can simply join the queue. */
  fits(queue: LaneQueue, incoming: number): boolean {
    return queue.size + incoming <= this.options.maxQueueSize && this.pending === 0;
  }

  /** Whether `incoming` joins the queue as is (else `full` decides): it fits, and no inline catch-up is on. */
  admits(queue: LaneQueue, incoming: number): boolean {
    return !this.catchingUp && this.fits(queue, incoming);
  }

  /** The lane's pump runs: the caller yielded, so the background export takes over from inline writes. */
  yielded(): void {
    this.catchingUp = false;
  }

  /**
   * The queue is full (or records are spooled already): keep `incoming` by the policy, on the caller's path
   * and bounded: at most one inline write of about twice `incoming`, or one spool append of it.
   */
  full(incoming: readonly TrackingRecord[], queue: LaneQueue, active: boolean): void {
    const policy = this.options.policy;
    if (policy === 'drop') {
      this.stats.dropped += incoming.length;
      this.options.logger.warnOnce(
        `queue-full:${this.exporter.name}`,
        `${this.exporter.name} queue is full (${this.options.maxQueueSize} records); dropping records (counted in stats; fullQueue 'drop').`,
      );
      return;
    }
    if (this.inline && active && this.options.startSync()) {
      this.catchingUp = true;
      this.writeInline(queue, 2 * Math.max(1, incoming.length));
    }
    if (this.fits(queue, incoming.length)) queue.push(incoming);
    else this.spill(incoming);
  }

  /**
   * An exporter whose `exportSync` hands batches to its own thread (`exportSyncOnSeal`) gets the queued
   * batches now, oldest first, once a second batch is waiting (the caller has not yielded since the last
   * one was sealed: a caller that yields leaves the work to the lane's pump, off its `log()` calls), while no
   * export is in flight (order) and nothing is spooled (that is older). A "not now" (its thread far behind
   * or starting) leaves them queued; the next sealed batch tries again.
   */
  handOff(queue: LaneQueue, active: boolean): void {
    if (!this.hasSync || queue.idle < 2 || queue.inFlight > 0 || this.pending > 0 || !active || !this.options.startSync()) return;
    this.writeInline(queue, queue.size);
  }

  /**
   * Writes up to `budget` of the oldest records with `exportSync`: idle queued batches first, then spooled
   * ones. Stops at the first retryable failure (the records stay where they were, in order).
   */
  private writeInline(queue: LaneQueue, budget: number): void {
    const exportSync = this.exporter.exportSync!.bind(this.exporter);
    for (let written = 0; written < budget; ) {
      let batch = queue.takeIdle();
      const fromSpool = batch === undefined;
      if (batch === undefined) {
        if (this.pending === 0) return;
        batch = this.take(Math.min(budget - written, 1000));
        if (batch.length === 0) return;
      }
      const result = callSync(() => exportSync(batch));
      written += batch.length;
      if (result.ok) {
        this.stats.exported += batch.length;
        continue;
      }
      const rest = result.remaining ?? batch;
      this.stats.exported += batch.length - rest.length;
      this.stats.lastError = errorMessage(result.error);
      if (!result.retryable) {
        this.options.countFailed(rest, this.stats.lastError);
        continue;
      }
      // Not written now (a busy writer thread, a full disk): put back. A spooled batch is newer than anything
      // queued, so it goes to the queue's end.
      if (fromSpool) queue.push(rest);
      else queue.returnIdle(rest);
      return;
    }
  }

  /** Records read back from the spool, oldest first. */
  take(max: number): TrackingRecord[] {
    return this.spool?.take(max) ?? [];
  }

  /**
   * Writes records to the spool: at the end, or in `front` of what is there (records that were queued in
   * memory are older than any already spooled).
   */
  spill(records: readonly TrackingRecord[], where: 'end' | 'front' = 'end'): void {
    if (records.length === 0) return;
    try {
      this.spool ??= this.newSpool();
      this.countUnencodable(where === 'front' ? this.spool.prepend(records) : this.spool.append(records));
      this.stats.spilled += records.length;
      if (!this.offline)
        this.options.logger.warnOnce(`spill:${this.exporter.name}`, `${this.exporter.name} is behind or unreachable; spooling records to ${this.spool.path}.`);
    } catch (error) {
      this.spoolFailed(records.length, error);
    }
  }

  /**
   * At close: `older` (records still in memory) in front of what is spooled, the file rewritten with the
   * backend's run ids for a replay, or deleted when everything was sent.
   */
  finish(
    runIds: Record<string, string>,
    older: readonly TrackingRecord[],
    replayCommand: (path: string) => string,
  ): { path: string; remaining: number } | undefined {
    let left: { path: string; remaining: number; unencodable: number } | undefined;
    try {
      if (older.length) {
        this.spool ??= this.newSpool();
        this.stats.spilled += older.length;
      }
      left = this.spool?.finish(runIds, older);
      if (left) this.countUnencodable(left.unencodable);
    } catch (error) {
      this.spoolFailed(older.length, error);
    }
    if (left) {
      const waiting = `${this.exporter.name}: ${left.remaining} records are waiting in ${left.path}; send them later with: ${replayCommand(left.path)}`;
      if (this.offline) this.options.logger.info(waiting);
      else this.options.logger.warn(waiting);
    }
    return left;
  }

  /** Records JSON cannot encode (a BigInt in a custom record, say) are left out of the spool: counted as failed. */
  private countUnencodable(n: number): void {
    if (n === 0) return;
    this.stats.spilled -= n;
    this.stats.failed += n;
    this.options.logger.errorOnce(
      `spill-encode:${this.exporter.name}`,
      `${this.exporter.name}: ${n} record(s) cannot be written to the spool (not JSON-encodable); counted as failed.`,
    );
  }

  private spoolFailed(count: number, error: unknown): void {
    this.stats.failed += count;
    this.spoolError = `cannot write spool: ${errorMessage(error)}`;
    this.options.logger.errorOnce(`spill-fail:${this.exporter.name}`, `${this.exporter.name}: cannot write spool: ${errorMessage(error)}`);
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
    const run = this.options.run;
    return new Spool(join(this.options.spillDir ?? 'metrics-spool', spoolFileName(run, this.exporter.name)), {
      $spool: 1,
      exporter: this.exporter.name,
      run,
      runIds,
    });
  }
}

/** exportSync must not throw; if one does anyway, it is a retryable failure (nothing written). */
function callSync(fn: () => ExportResult): ExportResult {
  try {
    return fn();
  } catch (error) {
    return failure(error);
  }
}
