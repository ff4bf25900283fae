/**
 * Runs hostile calls against a tracker and says what the counters must show afterwards.
 *
 * The bookkeeping rule (read from packages/core/src/tracker.ts and processing/): a call of the wrong shape
 * (values not a plain object, a step option that is not a number, unknown options) throws InvalidCallError
 * in every policy and counts nothing. Every other call adds to `stats().accepted` (records pushed) or
 * `stats().skipped` (rejected in warn mode):
 *  - log-style calls: one unit per leaf name (nested plain objects are flattened with `/`), or one unit for
 *    the whole call when the step is invalid; a leaf is accepted when its name resolves (legacy names,
 *    prefix aliases, then the grammar, else `custom/<sanitized>` in warn mode) and its value is a finite number;
 *  - logHistogram / logImage / logText / logConfig / logArtifact: one record, accepted or skipped;
 *  - logHyperparams / setSummary: one record, plus one skipped unit per rejected metric/summary name.
 * The facade is opened with interval 1 (see security-harness), so each call's records are pushed at once.
 */
import {
  checkMetricName,
  InvalidCallError,
  LEGACY_METRIC_NAMES,
  MAX_STEP,
  METRIC_PREFIX_ALIASES,
  normalizeMetricName,
  toCustomMetricName,
  type Tracker,
  type ValidationPolicy,
} from '@metrics/core';
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

/** The name after the legacy rewrite (`loss` → `training/loss`) and the prefix aliases (`train/` → `training/`). */
export function rewrittenName(name: unknown): string {
  const raw = typeof name === 'string' ? name : String(name);
  const legacy = Object.hasOwn(LEGACY_METRIC_NAMES, raw) ? LEGACY_METRIC_NAMES[raw]! : raw;
  for (const [from, to] of Object.entries(METRIC_PREFIX_ALIASES)) if (legacy.startsWith(from)) return to + legacy.slice(from.length);
  return legacy;
}

/** Whether core logs the name under the policy (warn: an invalid one is kept under `custom/` when it can be). */
export function nameAccepted(name: unknown, policy: ValidationPolicy = 'warn'): boolean {
  const rewritten = rewrittenName(name);
  if (checkMetricName(rewritten) === undefined) return true;
  if (policy === 'normalize') return normalizeMetricName(rewritten) !== undefined;
  if (policy === 'warn') return toCustomMetricName(rewritten) !== undefined;
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `[name, value]` for every leaf, nested plain objects flattened with `/` (as W&B does; depth 8 as core). */
export function leaves(values: unknown, prefix = '', depth = 0, out: [string, unknown][] = []): [string, unknown][] {
  for (const key in values as object) {
    const value = (values as Record<string, unknown>)[key];
    const name = prefix ? `${prefix}/${key}` : key;
    if (depth < 8 && isPlainObject(value)) leaves(value, name, depth + 1, out);
    else out.push([name, value]);
  }
  return out;
}

const badStepOption = (step: unknown) => step !== undefined && typeof step !== 'number';

/** Whether the call has the wrong shape: an InvalidCallError at once, in every policy. */
export function isShapeError(call: Call): boolean {
  switch (call.m) {
    case 'log':
      return !isPlainObject(call.values) || badStepOption(call.step);
    case 'logTrainingMetrics':
      return typeof call.epoch !== 'number' || typeof call.step !== 'number' || !isPlainObject(call.metrics);
    case 'logPerformanceMetrics':
      return !isPlainObject(call.metrics) || badStepOption(call.step);
    case 'logProfilingData':
      return (call.data !== undefined && !isPlainObject(call.data)) || badStepOption(call.step);
    case 'logHistogram':
    case 'logImage':
    case 'logText':
      return badStepOption(call.step);
    default:
      return false;
  }
}

function under(category: string, metrics: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in metrics as object) out[key.includes('/') ? key : `${category}/${key}`] = (metrics as Record<string, unknown>)[key];
  return out;
}

/** Units (accepted + skipped) and the accepted part for a batch of scalars at a step. */
function scalarUnits(values: unknown, stepOk: boolean): { units: number; accepted: number } {
  if (!stepOk) return { units: 1, accepted: 0 };
  let units = 0;
  let accepted = 0;
  for (const [name, value] of leaves(values)) {
    units++;
    // NaN/±Infinity are skipped by default (nonFinite: 'skip').
    if (nameAccepted(name) && typeof value === 'number' && Number.isFinite(value)) accepted++;
  }
  return { units, accepted };
}

/** What one call must add to accepted + skipped (and, for scalars, to accepted alone), given the tracker's state just before it. */
export function expectedUnits(t: AnyTracker, call: Call): { units: number; accepted?: number } {
  if (isShapeError(call)) return { units: 0, accepted: 0 };
  // A missing step takes core's clock (always valid); a given one is checked.
  const scalarStepOk = (step: unknown) => step === undefined || validStep(step);
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
 * Warn policy: the call must not throw (unless its shape is wrong: then InvalidCallError) and must add
 * exactly its units to accepted + skipped.
 * Returns the accepted delta (for per-kind tallies).
 */
export function checkedWarnCall(tracker: AnyTracker, call: Call): number {
  const want = expectedUnits(tracker, call);
  const before = tracker.stats();
  let threw = false;
  try {
    applyCall(tracker, call);
  } catch (error) {
    threw = true;
    if (!(isShapeError(call) && InvalidCallError.isInstance(error)))
      throw new Error(`${call.m} threw in warn policy: ${(error as Error)?.message} — call: ${describeCall(call)}`);
  }
  if (isShapeError(call)) {
    const after = tracker.stats();
    expect(
      { threw, accepted: after.accepted - before.accepted, skipped: after.skipped - before.skipped },
      `a wrong call shape throws and counts nothing: ${describeCall(call)}`,
    ).toEqual({ threw: true, accepted: 0, skipped: 0 });
  }
  const after = tracker.stats();
  const accepted = after.accepted - before.accepted;
  const skipped = after.skipped - before.skipped;
  expect({ units: accepted + skipped, call: describeCall(call) }, 'every call is counted as accepted or skipped').toEqual({
    units: want.units,
    call: describeCall(call),
  });
  if (want.accepted !== undefined) expect(accepted, `accepted part of ${describeCall(call)}`).toBe(want.accepted);
  return accepted;
}
