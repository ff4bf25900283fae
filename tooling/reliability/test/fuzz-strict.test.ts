/**
 * Strict policy under the same hostile calls: a call either goes through whole (nothing skipped) or
 * throws a typed @metrics error (`MetricsError.isInstance`) whose message names the metric and the rule.
 * Run against the facade (all four trackers) and against a bare core tracker.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidMetricNameError, InvalidMetricValueError, LEGACY_METRIC_NAMES, MetricsError } from '@metrics/core';
import { callArbitraries, CORE_METHODS, describeCall, FACADE_METHODS, type Call } from './support/security-inputs.js';
import { applyCall, expectedUnits, leaves, rewrittenName, type AnyTracker } from './support/security-calls.js';
import { checkAfterClose, checkStandaloneAfterClose, countAccepted, openFacade, openStandalone, removeTree, tempRoot } from './support/security-harness.js';

const RUNS_PER_METHOD = 300;
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

/**
 * Names the call passes (with nested objects flattened, and their rewrites: legacy `loss` → `training/loss`,
 * aliases `train/` → `training/`), any of which an error may be about.
 */
function namesIn(call: Call): string[] {
  return namesPassed(call).flatMap((n) => [n, rewrittenName(n), ...(Object.hasOwn(LEGACY_METRIC_NAMES, n) ? [LEGACY_METRIC_NAMES[n]!] : [])]);
}

const leafNames = (v: unknown, prefix = '') => leaves(Object(v ?? {}), prefix).map(([n]) => n);

function namesPassed(call: Call): string[] {
  // for…in, as the trackers iterate (a string passed as values has index keys).
  const keys = (v: unknown) => {
    const out: string[] = [];
    for (const k in Object(v ?? {})) out.push(k);
    return out;
  };
  switch (call.m) {
    case 'log':
      return [...keys(call.values), ...leafNames(call.values)];
    case 'logTrainingMetrics':
    case 'logPerformanceMetrics': {
      const category = call.m === 'logTrainingMetrics' ? 'training' : 'performance';
      const nested = keys(call.metrics).flatMap((k) => leafNames({ [k]: (call.metrics as Record<string, unknown>)[k] }, k.includes('/') ? '' : category));
      return [...keys(call.metrics), ...keys(call.metrics).map((k) => `${category}/${k}`), ...nested, 'training/epoch'];
    }
    case 'logProfilingData': {
      const nested = keys(call.data).flatMap((k) => leafNames({ [k]: (call.data as Record<string, unknown>)[k] }, k.includes('/') ? '' : 'profiling'));
      return [...keys(call.data), ...keys(call.data).map((k) => `profiling/${k}`), ...nested];
    }
    case 'logHyperparams':
      return [...keys(call.params), ...(Array.isArray(call.metrics) ? call.metrics.map(String) : [])];
    case 'setSummary':
      return keys(call.values);
    case 'logHistogram':
    case 'logImage':
    case 'logText':
      return [String(call.name)];
    case 'logArtifact':
      return [String(call.path)];
    default:
      return [];
  }
}

type Outcome = 'ok' | 'InvalidMetricNameError' | 'InvalidMetricValueError' | 'other typed';

/** One strict call: whole, or a typed error that names the metric and its rule. */
function checkedStrictCall(tracker: AnyTracker, call: Call): Outcome {
  const want = expectedUnits(tracker, call);
  const before = tracker.stats();
  try {
    applyCall(tracker, call);
  } catch (error) {
    const what = describeCall(call);
    expect(MetricsError.isInstance(error), `untyped ${(error as Error)?.name}: "${(error as Error)?.message}" from ${what}`).toBe(true);
    const e = error as MetricsError & { metric?: string; rule?: string };
    if (InvalidMetricNameError.isInstance(e) || InvalidMetricValueError.isInstance(e)) {
      expect(e.message, `the message states the rule (${what})`).toContain(e.rule);
      expect(e.message, `the message names the metric (${what})`).toContain(JSON.stringify(e.metric));
      // A step or a whole argument (the values object, config, summary, artifact path) belongs to the whole
      // call; any other error must be about a name the call passed.
      const wholeCall = ['(step)', '(values)', '(config)', '(summary)', '(artifact)'];
      if (!wholeCall.includes(e.metric!)) expect(namesIn(call), `error about "${e.metric}" for ${what}`).toContain(e.metric);
      return InvalidMetricNameError.isInstance(e) ? 'InvalidMetricNameError' : 'InvalidMetricValueError';
    }
    return 'other typed';
  }
  const after = tracker.stats();
  expect({ skipped: after.skipped - before.skipped, call: describeCall(call) }, 'strict never skips silently').toEqual({
    skipped: 0,
    call: describeCall(call),
  });
  if (want.accepted !== undefined) expect(after.accepted - before.accepted, `accepted part of ${describeCall(call)}`).toBe(want.accepted);
  return 'ok';
}

function tally(outcomes: Record<string, number>, o: Outcome): void {
  outcomes[o] = (outcomes[o] ?? 0) + 1;
}

describe('strict policy: typed errors only', () => {
  for (const method of FACADE_METHODS) {
    it(`facade ${method}: ${RUNS_PER_METHOD} hostile calls succeed whole or throw a typed error naming metric and rule`, async () => {
      const root = tempRoot(`strict-${method}`);
      roots.push(root);
      const f = await openFacade('strict', root);
      const outcomes: Record<string, number> = {};
      try {
        fc.assert(
          fc.property(callArbitraries[method] as fc.Arbitrary<Call>, (call) => tally(outcomes, checkedStrictCall(f.tracker, call))),
          { numRuns: RUNS_PER_METHOD, seed: 0x57c7 + method.length },
        );
      } finally {
        await f.tracker.close();
      }
      checkAfterClose(f);
      console.log(`reliability: strict facade fuzz ${method} — ${RUNS_PER_METHOD} calls, outcomes ${JSON.stringify(outcomes)} — held`);
    });
  }

  it(`core tracker: ${RUNS_PER_METHOD * 3} mixed hostile calls succeed whole or throw a typed error`, async () => {
    const root = tempRoot('strict-core');
    roots.push(root);
    const s = openStandalone('core', 'strict', root);
    const outcomes: Record<string, number> = {};
    try {
      fc.assert(
        fc.property(fc.oneof(...CORE_METHODS.map((m) => callArbitraries[m] as fc.Arbitrary<Call>)), (call) => {
          const before = s.tracker.stats().accepted;
          const o = checkedStrictCall(s.tracker, call);
          tally(outcomes, o);
          countAccepted(s.accepted, call, s.tracker.stats().accepted - before);
        }),
        { numRuns: RUNS_PER_METHOD * 3, seed: 0xc0de },
      );
    } finally {
      await s.tracker.close();
    }
    checkStandaloneAfterClose(s);
    console.log(`reliability: strict core fuzz — ${RUNS_PER_METHOD * 3} calls, outcomes ${JSON.stringify(outcomes)} — held`);
  });
});
