/**
 * Runs hostile calls against a tracker and says what the counters must show afterwards.
 *
 * The bookkeeping rule (read from packages/core/src/tracker.ts): every call that is not rejected by a
 * throw adds to `stats().accepted` (records pushed) or `stats().skipped` (rejected in warn mode):
 *  - log-style calls: one unit per name, or one unit for the whole call when the step is invalid or the
 *    values are not an object;
 *  - logHistogram / logImage / logText / logConfig / logArtifact: one record, accepted or skipped;
 *  - logHyperparams / setSummary: one record, plus one skipped unit per rejected metric/summary name.
 */
import { checkMetricName, LEGACY_METRIC_NAMES, MAX_STEP, type Tracker } from '@metrics/core';
import type { ExperimentTracker } from '@metrics/unified';
import { expect } from 'vitest';
import { describeCall, stepOption, type Call } from './security-inputs.js';

export type AnyTracker = Tracker | ExperimentTracker;

export function isFacade(t: AnyTracker): t is ExperimentTracker {
  return typeof (t as ExperimentTracker).logTrainingMetrics === 'function';
}

/** Calls the method with the raw arguments, exactly as an untyped caller would. */
export function applyCall(t: AnyTracker, call: Call): void {
  const any = t as unknown as Record<string, (...args: unknown[]) => unknown>;
  switch (call.m) {
    case 'log':
      return void any.log!(call.values, stepOption(call.step));
    case 'logTrainingMetrics':
      return void any.logTrainingMetrics!(call.epoch, call.step, call.metrics);
    case 'logPerformanceMetrics':
      return void any.logPerformanceMetrics!(call.metrics, stepOption(call.step));
    case 'logProfilingData':
      return void any.logProfilingData!(call.data, stepOption(call.step));
    case 'logHyperparams':
      return void any.logHyperparams!(call.params, call.metrics === undefined ? undefined : { metrics: call.metrics });
    case 'logHistogram':
      return void any.logHistogram!(call.name, call.values, stepOption(call.step));
    case 'logImage':
      return void any.logImage!(call.name, call.image, { ...stepOption(call.step), caption: call.caption });
    case 'logText':
      return void any.logText!(call.name, call.text, stepOption(call.step));
    case 'logConfig':
      return void any.logConfig!(call.config);
    case 'setSummary':
      return void any.setSummary!(call.values);
    case 'logArtifact':
      return void any.logArtifact!(call.path);
  }
}

export function validStep(step: unknown): boolean {
  return typeof step === 'number' && Number.isInteger(step) && step >= 0 && step <= MAX_STEP;
}

/** Whether core accepts the name (after the legacy rewrite `loss` → `training/loss`). */
export function nameAccepted(name: unknown): boolean {
  const raw = typeof name === 'string' ? name : String(name);
  const rewritten = Object.prototype.hasOwnProperty.call(LEGACY_METRIC_NAMES, raw) ? LEGACY_METRIC_NAMES[raw]! : raw;
  return checkMetricName(rewritten) === undefined;
}

function under(category: string, metrics: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in metrics as object) out[key.includes('/') ? key : `${category}/${key}`] = (metrics as Record<string, unknown>)[key];
  return out;
}

/** Units (accepted + skipped) and the accepted part for a batch of scalars at a step. */
function scalarUnits(values: unknown, stepOk: boolean): { units: number; accepted: number } {
  if (values === null || typeof values !== 'object') return { units: 1, accepted: 0 };
  if (!stepOk) return { units: 1, accepted: 0 };
  let units = 0;
  let accepted = 0;
  for (const key in values) {
    units++;
    if (nameAccepted(key) && typeof (values as Record<string, unknown>)[key] === 'number') accepted++;
  }
  return { units, accepted };
}

/** What one call must add to accepted + skipped (and, for scalars, to accepted alone), given the tracker's state just before it. */
export function expectedUnits(t: AnyTracker, call: Call): { units: number; accepted?: number } {
  const facade = isFacade(t);
  // The facade fills in its own counter for a missing step (`step ?? counter`, so null too) and core checks it.
  const scalarStepOk = (step: unknown) => (facade ? validStep(step ?? t.step) : step === undefined || validStep(step));
  const invalidNames = (names: Iterable<unknown>) => {
    let n = 0;
    for (const x of names) if (!nameAccepted(x)) n++;
    return n;
  };
  switch (call.m) {
    case 'log':
      return scalarUnits(call.values, scalarStepOk(call.step));
    case 'logTrainingMetrics': {
      const values = { ...under('training', call.metrics), 'training/epoch': call.epoch };
      return scalarUnits(values, scalarStepOk(call.step));
    }
    case 'logPerformanceMetrics':
      return scalarUnits(under('performance', call.metrics), scalarStepOk(call.step));
    case 'logProfilingData': {
      const values = call.data ? under('profiling', call.data) : (t as ExperimentTracker).profiler.toMetrics();
      return scalarUnits(values, scalarStepOk(call.step));
    }
    case 'logHyperparams':
      return { units: 1 + (Array.isArray(call.metrics) ? invalidNames(call.metrics) : 0), accepted: 1 };
    case 'setSummary':
      return { units: 1 + invalidNames(Object.keys(Object(call.values ?? {}))), accepted: 1 };
    case 'logHistogram':
    case 'logImage':
    case 'logText':
    case 'logConfig':
    case 'logArtifact':
      return { units: 1 };
  }
}

/**
 * Warn policy: the call must not throw and must add exactly its units to accepted + skipped.
 * Returns the accepted delta (for per-kind tallies).
 */
export function checkedWarnCall(tracker: AnyTracker, call: Call): number {
  const want = expectedUnits(tracker, call);
  const before = tracker.stats();
  try {
    applyCall(tracker, call);
  } catch (error) {
    throw new Error(`${call.m} threw in warn policy: ${(error as Error)?.message} — call: ${describeCall(call)}`);
  }
  const after = tracker.stats();
  const accepted = after.accepted - before.accepted;
  const skipped = after.skipped - before.skipped;
  expect({ units: accepted + skipped, call: describeCall(call) }, 'every call is counted as accepted or skipped').toEqual({ units: want.units, call: describeCall(call) });
  if (want.accepted !== undefined) expect(accepted, `accepted part of ${describeCall(call)}`).toBe(want.accepted);
  return accepted;
}
