import type { PipelineStats } from '../spec.js';

/** Why a record (or a whole call) was not logged. Every skip is counted under exactly one reason. */
export type SkipReason =
  /** A name nothing valid could be made of (warn mode). */
  | 'invalidName'
  /** A value that is not a number (or a hyperparameter/summary/media payload that is unusable). */
  | 'invalidValue'
  /** NaN or ±Infinity with `nonFinite: 'skip'`. */
  | 'nonFinite'
  /** A step outside 0 … 2^53−1 (the whole call is skipped). */
  | 'invalidStep'
  /** Below `loggingPriority` (selective logging). */
  | 'priority'
  /** Logged after `close()`. */
  | 'afterClose';

export const SKIP_REASONS: readonly SkipReason[] = ['invalidName', 'invalidValue', 'nonFinite', 'invalidStep', 'priority', 'afterClose'];

export interface AggregationStats {
  /** The logging interval N (1 = no aggregation). */
  interval: number;
  /** Window aggregates emitted. */
  windowsEmitted: number;
  /** Points that arrived for a window already emitted or older than the metric's open one: logged at their own step. */
  latePoints: number;
}

/** `stats()` of a core tracker: the pipeline's counters plus what the processing chain did. */
export interface TrackerStats extends PipelineStats {
  /** `skipped`, broken down by reason (the values add up to `skipped`). */
  skippedBy: Record<SkipReason, number>;
  aggregation: AggregationStats;
}

export function emptySkipCounts(): Record<SkipReason, number> {
  return { invalidName: 0, invalidValue: 0, nonFinite: 0, invalidStep: 0, priority: 0, afterClose: 0 };
}
