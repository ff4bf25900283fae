import { LogLinearHistogram } from './histogram.js';
import type { ProfileCategory } from './categories.js';

/** Memory deltas (bytes) summed over the calls that measured them. */
export interface MemoryTotals {
  samples: number;
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

/** Everything kept for one (name, category): fixed memory whatever the call count. */
export class OperationStats {
  count = 0;
  errors = 0;
  /** Milliseconds. */
  totalMs = 0;
  selfMs = 0;
  minMs = Infinity;
  maxMs = 0;
  /** Durations in nanoseconds. */
  readonly histogram = new LogLinearHistogram();
  readonly memory: MemoryTotals = { samples: 0, heapUsed: 0, rss: 0, external: 0, arrayBuffers: 0 };
  /** Slow-warning rate limiting: time of the last warning and how many were held back since. */
  lastWarnAt = -Infinity;
  heldBackWarnings = 0;

  constructor(
    readonly name: string,
    readonly category: ProfileCategory,
    /** Calls slower than this are warned about (resolved once per operation, from its category). */
    readonly slowMs = Infinity,
  ) {}

  record(durationMs: number, selfMs: number): void {
    this.count++;
    this.totalMs += durationMs;
    this.selfMs += selfMs;
    if (durationMs < this.minMs) this.minMs = durationMs;
    if (durationMs > this.maxMs) this.maxMs = durationMs;
    this.histogram.record(durationMs * 1e6);
  }

  /** The q-quantile in ms, clamped to the exact min/max. */
  quantileMs(q: number): number {
    if (this.count === 0) return 0;
    const v = this.histogram.quantile(q) / 1e6;
    return Math.min(this.maxMs, Math.max(this.minMs, v));
  }

  snapshot(): OperationSnapshot {
    const n = this.count;
    const m = this.memory;
    return {
      name: this.name,
      category: this.category,
      count: n,
      errors: this.errors,
      totalMs: this.totalMs,
      selfMs: this.selfMs,
      meanMs: n ? this.totalMs / n : 0,
      minMs: n ? this.minMs : 0,
      maxMs: this.maxMs,
      p50Ms: this.quantileMs(0.5),
      p95Ms: this.quantileMs(0.95),
      p99Ms: this.quantileMs(0.99),
      memory:
        m.samples > 0
          ? {
              samples: m.samples,
              meanHeapUsedBytes: m.heapUsed / m.samples,
              meanRssBytes: m.rss / m.samples,
              meanExternalBytes: m.external / m.samples,
              meanArrayBuffersBytes: m.arrayBuffers / m.samples,
            }
          : undefined,
    };
  }

  reset(): void {
    this.count = this.errors = this.totalMs = this.selfMs = this.maxMs = 0;
    this.minMs = Infinity;
    this.histogram.reset();
    this.memory.samples = this.memory.heapUsed = this.memory.rss = this.memory.external = this.memory.arrayBuffers = 0;
  }
}

export interface OperationSnapshot {
  name: string;
  category: ProfileCategory;
  count: number;
  errors: number;
  totalMs: number;
  /** Total minus the time spent in profiled child operations. */
  selfMs: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Mean memory deltas per call, when memory measurement is on. */
  memory: { samples: number; meanHeapUsedBytes: number; meanRssBytes: number; meanExternalBytes: number; meanArrayBuffersBytes: number } | undefined;
}
