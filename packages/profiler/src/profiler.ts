import { AsyncLocalStorage } from 'node:async_hooks';
import { createLogger, type Logger, type Tracker } from '@metrics/core';
import type { ProfileCategory } from './categories.js';
import { OperationStats } from './operation-stats.js';
import { buildReport, formatReportTable, reportToMetrics, type ProfileReport } from './report.js';
import { TraceBuffer, writeTraceFile, writeTraceFileSync } from './trace.js';

export interface ProfilerOptions {
  /** false: a true no-op profiler (profileOperation just calls fn). Default true. */
  enabled?: boolean;
  /** Clock in milliseconds. Default `performance.now`. Inject a fake one in tests. */
  now?: () => number;
  /** Measure memory deltas per call: true = full `process.memoryUsage()` (µs per call), 'rss' = RSS only (cheaper). Default false. */
  memory?: boolean | 'rss';
  /** Warn (one ⚠️ line) when a call takes longer than this, ms. Default 100; Infinity turns warnings off. */
  slowThresholdMs?: number;
  /**
   * Thresholds for some categories, overriding `slowThresholdMs` for them, e.g.
   * `{ experiment_tracking: 100 }` with `slowThresholdMs: Infinity` warns about slow tracking only.
   */
  slowThresholdMsByCategory?: Readonly<Partial<Record<string, number>>>;
  /**
   * Thresholds for some operations by name, overriding the category's and the default, e.g.
   * `{ experiment_tracker_setup: Infinity }` for an operation that is slow by nature (imports, file opens).
   */
  slowThresholdMsByOperation?: Readonly<Partial<Record<string, number>>>;
  /** At most one slow warning per operation per this many ms; the rest are counted in the next line. Default 10 000. */
  slowWarningIntervalMs?: number;
  logger?: Logger;
  /** Keep trace events (Chrome trace-event format). Default true when `traceFile` is set, else false. */
  trace?: boolean;
  /** Write the trace here on `close()` and, if still open, at process exit. */
  traceFile?: string;
  /** Trace buffer capacity; events past it are counted as dropped. Default 100 000. */
  maxTraceEvents?: number;
  /** How many entries the bottleneck lists keep. Default 5. */
  topN?: number;
}

/** A pre-created handle for one (name, category): the fastest path, no lookup per call. */
export interface Operation {
  readonly name: string;
  readonly category: ProfileCategory;
  run<T>(fn: () => T): T;
  scope(): Disposable;
}

export interface Profiler {
  readonly enabled: boolean;
  /** Runs fn, timing it under (name, category). Sync fns stay sync; promises are timed until they settle. Results and errors pass through. */
  profileOperation<T>(name: string, category: ProfileCategory, fn: () => T): T;
  /** `using _ = profiler.scope('load', 'experiment_tracking')`: timed until disposed. For scopes spanning `await`, prefer profileOperation with an async fn. */
  scope(name: string, category: ProfileCategory): Disposable;
  operation(name: string, category: ProfileCategory): Operation;
  report(): ProfileReport;
  formatReport(): string;
  toMetrics(): Record<string, number>;
  /** Logs `toMetrics()` through any tracker. Without a step: the tracker's current step (its counter is not advanced). */
  emitTo(tracker: Tracker, step?: number): void;
  writeChromeTrace(path: string): Promise<void>;
  /** Forget all statistics and trace events; wall time restarts. */
  reset(): void;
  /** Writes `traceFile` if set. Idempotent. */
  close(): Promise<void>;
}

/** A frame of the current operation: its start and the time its profiled children took. */
interface Frame {
  start: number;
  childMs: number;
}

const AsyncFunction = (async () => {}).constructor;
const NOOP_DISPOSABLE: Disposable = { [Symbol.dispose]() {} };

export function createProfiler(options: ProfilerOptions = {}): Profiler {
  return options.enabled === false ? createNoopProfiler() : new ActiveProfiler(options);
}

class ActiveProfiler implements Profiler {
  readonly enabled = true;
  private readonly now: () => number;
  private readonly ops = new Map<string, OperationStats>();
  /** Second-level lookup when one name is used under several categories. */
  private readonly opsByKey = new Map<string, OperationStats>();
  private readonly order: OperationStats[] = [];
  /** The innermost synchronous frame, or undefined (then the async context's frame, if any, is the parent). */
  private current: Frame | undefined = undefined;
  private readonly asyncFrames = new AsyncLocalStorage<Frame>();
  private asyncActive = 0;
  private readonly memoryMode: false | 'full' | 'rss';
  private readonly slowMs: number;
  private readonly slowByCategory: Readonly<Partial<Record<string, number>>>;
  private readonly slowByOperation: Readonly<Partial<Record<string, number>>>;
  private readonly slowIntervalMs: number;
  private readonly logger: Logger;
  private readonly trace: TraceBuffer | undefined;
  private readonly traceFile: string | undefined;
  private readonly topN: number;
  private startedAt: number;
  private closed = false;
  private readonly onExit = () => {
    if (this.trace && this.traceFile) {
      try {
        writeTraceFileSync(this.traceFile, this.trace);
      } catch {
        // never crash an exiting program over a trace file
      }
    }
  };

  constructor(options: ProfilerOptions) {
    this.now = options.now ?? performance.now.bind(performance);
    this.memoryMode = options.memory === true ? 'full' : options.memory === 'rss' ? 'rss' : false;
    this.slowMs = options.slowThresholdMs ?? 100;
    this.slowByCategory = options.slowThresholdMsByCategory ?? {};
    this.slowByOperation = options.slowThresholdMsByOperation ?? {};
    this.slowIntervalMs = options.slowWarningIntervalMs ?? 10_000;
    this.logger = options.logger ?? createLogger();
    this.traceFile = options.traceFile;
    this.trace = (options.trace ?? options.traceFile !== undefined) ? new TraceBuffer(options.maxTraceEvents ?? 100_000) : undefined;
    this.topN = options.topN ?? 5;
    this.startedAt = this.now();
    if (this.traceFile) process.once('exit', this.onExit);
  }

  profileOperation<T>(name: string, category: ProfileCategory, fn: () => T): T {
    let op = this.ops.get(name);
    if (op === undefined || op.category !== category) op = this.lookup(name, category);
    return this.run(op, fn);
  }

  operation(name: string, category: ProfileCategory): Operation {
    const op = this.lookup(name, category);
    return {
      name,
      category,
      run: <T>(fn: () => T): T => this.run(op, fn),
      scope: () => this.openScope(op),
    };
  }

  scope(name: string, category: ProfileCategory): Disposable {
    return this.openScope(this.lookup(name, category));
  }

  private lookup(name: string, category: ProfileCategory): OperationStats {
    const first = this.ops.get(name);
    if (first !== undefined && first.category === category) return first;
    const key = `${category}\u0000${name}`;
    let op = this.opsByKey.get(key);
    if (op === undefined) {
      op = new OperationStats(name, category, this.slowThresholdFor(name, category));
      this.opsByKey.set(key, op);
      this.order.push(op);
      if (first === undefined) this.ops.set(name, op);
    }
    return op;
  }

  /** The most specific threshold: the operation's, else its category's, else the default. */
  private slowThresholdFor(name: string, category: string): number {
    const own = (table: Readonly<Partial<Record<string, number>>>, key: string) => (Object.hasOwn(table, key) ? table[key] : undefined);
    return own(this.slowByOperation, name) ?? own(this.slowByCategory, category) ?? this.slowMs;
  }

  private parentFrame(): Frame | undefined {
    return this.current ?? (this.asyncActive > 0 ? this.asyncFrames.getStore() : undefined);
  }

  /** The hot path. */
  private run<T>(op: OperationStats, fn: () => T): T {
    if (fn instanceof AsyncFunction) return this.runAsync(op, fn as () => T & Promise<unknown>);
    const parent = this.parentFrame();
    const memBefore = this.memoryMode ? this.memorySnapshot() : undefined;
    const saved = this.current;
    const frame: Frame = { start: this.now(), childMs: 0 };
    this.current = frame;
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.current = saved;
      this.finish(op, frame, parent, memBefore, true);
      throw error;
    }
    this.current = saved;
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      // A plain function that returned a promise: timed until it settles.
      return (result as unknown as PromiseLike<unknown>).then(
        (value) => {
          this.finish(op, frame, parent, memBefore, false);
          return value;
        },
        (error: unknown) => {
          this.finish(op, frame, parent, memBefore, true);
          throw error;
        },
      ) as T;
    }
    this.finish(op, frame, parent, memBefore, false);
    return result;
  }

  private runAsync<T>(op: OperationStats, fn: () => T): T {
    const parent = this.parentFrame();
    const memBefore = this.memoryMode ? this.memorySnapshot() : undefined;
    const frame: Frame = { start: this.now(), childMs: 0 };
    const saved = this.current;
    this.current = undefined;
    this.asyncActive++;
    let promise: Promise<unknown>;
    try {
      promise = this.asyncFrames.run(frame, fn) as Promise<unknown>;
    } finally {
      this.current = saved;
    }
    return promise.then(
      (value) => {
        this.asyncActive--;
        this.finish(op, frame, parent, memBefore, false);
        return value;
      },
      (error: unknown) => {
        this.asyncActive--;
        this.finish(op, frame, parent, memBefore, true);
        throw error;
      },
    ) as T;
  }

  private openScope(op: OperationStats): Disposable {
    const parent = this.parentFrame();
    const memBefore = this.memoryMode ? this.memorySnapshot() : undefined;
    const frame: Frame = { start: this.now(), childMs: 0 };
    const saved = this.current;
    this.current = frame;
    let open = true;
    return {
      [Symbol.dispose]: () => {
        if (!open) return;
        open = false;
        if (this.current === frame) this.current = saved;
        this.finish(op, frame, parent, memBefore, false);
      },
    };
  }

  private finish(op: OperationStats, frame: Frame, parent: Frame | undefined, memBefore: MemorySample | undefined, error: boolean): void {
    const end = this.now();
    const duration = end - frame.start;
    const self = duration - frame.childMs;
    if (parent !== undefined) parent.childMs += duration;
    op.record(duration, Math.max(self, 0));
    if (error) op.errors++;
    if (memBefore !== undefined) this.recordMemory(op, memBefore);
    if (this.trace !== undefined) this.trace.add(op, frame.start, duration, error);
    if (duration > op.slowMs) this.warnSlow(op, duration, end);
  }

  private memorySnapshot(): MemorySample {
    if (this.memoryMode === 'rss') return { heapUsed: 0, rss: process.memoryUsage.rss(), external: 0, arrayBuffers: 0 };
    const m = process.memoryUsage();
    return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers };
  }

  private recordMemory(op: OperationStats, before: MemorySample): void {
    const after = this.memorySnapshot();
    const m = op.memory;
    m.samples++;
    m.heapUsed += after.heapUsed - before.heapUsed;
    m.rss += after.rss - before.rss;
    m.external += after.external - before.external;
    m.arrayBuffers += after.arrayBuffers - before.arrayBuffers;
  }

  private warnSlow(op: OperationStats, duration: number, at: number): void {
    if (at - op.lastWarnAt < this.slowIntervalMs) {
      op.heldBackWarnings++;
      return;
    }
    const held = op.heldBackWarnings;
    op.lastWarnAt = at;
    op.heldBackWarnings = 0;
    try {
      this.logger.warn(
        `Slow operation ${op.name} (${op.category}) took ${duration.toFixed(1)} ms (threshold ${op.slowMs} ms)` +
          (held > 0 ? `; ${held} more slow call${held === 1 ? '' : 's'} since the last warning` : ''),
      );
    } catch {
      // a broken logger must not break the profiled program
    }
  }

  report(): ProfileReport {
    return buildReport(
      this.order.filter((o) => o.count > 0).map((o) => o.snapshot()),
      this.now() - this.startedAt,
      this.topN,
      this.trace?.dropped ?? 0,
    );
  }

  formatReport(): string {
    return formatReportTable(this.report());
  }

  toMetrics(): Record<string, number> {
    return reportToMetrics(this.report());
  }

  emitTo(tracker: Tracker, step?: number): void {
    const metrics = this.toMetrics();
    if (Object.keys(metrics).length === 0) return;
    tracker.log(metrics, { step: step ?? Math.max(0, tracker.step - 1) });
  }

  async writeChromeTrace(path: string): Promise<void> {
    await writeTraceFile(path, this.trace ?? new TraceBuffer(0));
  }

  reset(): void {
    for (const op of this.order) op.reset();
    this.trace?.clear();
    this.startedAt = this.now();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.traceFile) {
      process.removeListener('exit', this.onExit);
      if (this.trace) {
        try {
          await writeTraceFile(this.traceFile, this.trace);
        } catch (error) {
          this.logger.errorOnce('trace-write', `Could not write the trace file ${this.traceFile}: ${(error as Error).message}`);
        }
      }
    }
  }
}

interface MemorySample {
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

/** Every method does the least possible: profileOperation just calls fn. */
export function createNoopProfiler(): Profiler {
  const report = (): ProfileReport => ({ wallTimeMs: 0, operations: [], byTotal: [], bySelf: [], droppedTraceEvents: 0 });
  return {
    enabled: false,
    profileOperation: (_name, _category, fn) => fn(),
    scope: () => NOOP_DISPOSABLE,
    operation: (name, category) => ({ name, category, run: (fn) => fn(), scope: () => NOOP_DISPOSABLE }),
    report,
    formatReport: () => 'Profiler disabled',
    toMetrics: () => ({}),
    emitTo: () => {},
    writeChromeTrace: (path) => writeTraceFile(path, new TraceBuffer(0)),
    reset: () => {},
    close: async () => {},
  };
}
