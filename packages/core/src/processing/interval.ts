import { WindowAggregate, type Aggregation } from '../helpers.js';

/** One scalar to hand to the pipeline. */
export interface ScalarOut {
  name: string;
  value: number;
  step: number;
  wallTime: number;
}

interface Window {
  /** floor(step / N) of the open window, or of the last one emitted when `open` is false. */
  index: number;
  open: boolean;
  /** Highest window index emitted (−1: none). */
  lastEmitted: number;
  aggregate: WindowAggregate;
  maxStep: number;
  wallTime: number;
}

/**
 * Processor 5: interval aggregation, one window per metric per interval N (window = floor(step / N)).
 * - A point for the metric's open window is folded into it.
 * - A point for a later window emits the open window's aggregate at the highest step seen in it, then
 *   opens the new window.
 * - A point for a window that was already emitted, or older than the open one, is late: it is logged at
 *   its own step, as is, and counted (`latePoints`) — never folded into another step.
 * - `drain()` (flush/close) emits every open window.
 * N = 1 passes every point straight through.
 */
export class IntervalAggregator {
  private readonly windows = new Map<string, Window>();
  windowsEmitted = 0;
  latePoints = 0;

  constructor(
    readonly interval: number,
    private readonly how: Aggregation = 'mean',
  ) {
    if (!Number.isInteger(interval) || interval < 1) throw new RangeError(`loggingInterval must be a positive integer (got ${interval})`);
  }

  add(name: string, value: number, step: number, wallTime: number, emit: (point: ScalarOut) => void): void {
    if (this.interval === 1) return emit({ name, value, step, wallTime });
    const index = Math.floor(step / this.interval);
    let w = this.windows.get(name);
    if (w === undefined) {
      w = { index, open: false, lastEmitted: -1, aggregate: new WindowAggregate(), maxStep: step, wallTime };
      this.windows.set(name, w);
    }
    if (w.open && index === w.index) {
      w.aggregate.add(value);
      if (step > w.maxStep) w.maxStep = step;
      w.wallTime = wallTime;
      return;
    }
    if ((w.open && index < w.index) || index <= w.lastEmitted) {
      this.latePoints++;
      return emit({ name, value, step, wallTime });
    }
    if (w.open) this.close(name, w, emit);
    w.index = index;
    w.open = true;
    w.aggregate.reset();
    w.aggregate.add(value);
    w.maxStep = step;
    w.wallTime = wallTime;
  }

  /** Emits every open window (flush/close). */
  drain(emit: (point: ScalarOut) => void): void {
    for (const [name, w] of this.windows) if (w.open) this.close(name, w, emit);
  }

  private close(name: string, w: Window, emit: (point: ScalarOut) => void): void {
    w.open = false;
    if (w.index > w.lastEmitted) w.lastEmitted = w.index;
    this.windowsEmitted++;
    emit({ name, value: w.aggregate.value(this.how), step: w.maxStep, wallTime: w.wallTime });
  }
}
