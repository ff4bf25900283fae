/**
 * A fault proxy in front of a real MLflow server: a 429 storm with Retry-After, 503s and dropped
 * connections, then a phase where every forwarded request waits 2 s, while 20,000 points are logged.
 * Every point is on the server exactly once and the tracker's stats say how much was retried.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, startMlflowServer, type FaultProxy, type MlflowServer } from '@metrics/oracle';
import { createMlflowTracker } from '@metrics/mlflow';
import { historyProblems, metricCounts, metricHistory, mlflowSetup } from './support/faults-mlflow.js';
import { startMetricTap, type MetricTap } from './support/faults-tap.js';
import { removeTempDirs, tempDir } from './support/faults-children.js';

const KEYS = 5;
const STORM_STEPS = 3_500; // 17,500 points under 429/503/resets
const SLOW_STEPS = 500; // 2,500 points with 2 s latency on top (5 batches: ~10 s of waiting)
const STEPS = STORM_STEPS + SLOW_STEPS;
const names = Array.from({ length: KEYS }, (_, k) => `training/m${k}`);
const pointValue = (step: number, k: number) => step * KEYS + k + 0.5;
const SETUP = mlflowSetup({ store: 'sqlite', workers: 1 });

let server: MlflowServer;
let tap: MetricTap;
let proxy: FaultProxy;
beforeAll(async () => {
  server = await startMlflowServer({ store: SETUP.store, workers: SETUP.workers });
  tap = await startMetricTap(server.url);
  proxy = await startFaultProxy({ target: tap.url, seed: 20_240 });
});
afterAll(async () => {
  removeTempDirs();
  await proxy?.stop();
  await tap?.stop();
  await server?.stop();
});

describe(`MLflow (${SETUP.label}) behind a fault proxy, several requests in flight`, () => {
  it('429 storm with Retry-After, 503s, resets and 2 s latency: 20,000 points arrive exactly once', async () => {
    const spillDir = tempDir('rel-proxy-spool-');
    const tracker = createMlflowTracker({
      trackingUri: proxy.url,
      experiment: 'reliability-proxy',
      runName: 'storm-20k',
      spillDir,
      handleExit: false,
      logLevel: 'silent',
      env: {},
      batch: { maxBatchSize: 500, scheduledDelayMs: 20 },
      retry: { initialDelayMs: 20, maxDelayMs: 500 },
    });
    await tracker.flush(); // the run exists before the storm
    const logSteps = (from: number, to: number) => {
      const values: Record<string, number> = {};
      for (let step = from; step < to; step++) {
        for (let k = 0; k < KEYS; k++) values[names[k]!] = pointValue(step, k);
        tracker.log(values, { step });
      }
    };

    // The storm: the first 12 log-batch requests get 429 + Retry-After, then a mix of all three faults.
    proxy.setFaults({ status429: { firstN: 12, ratio: 0.1, retryAfterS: 0.25 }, status503: 0.1, resetRatio: 0.1, pathFilter: /log-batch/ });
    logSteps(0, STORM_STEPS);
    await tracker.flush();
    const storm = proxy.stats().faults;
    proxy.resetStats();

    // Slow network: every forwarded log-batch waits 2 s; every 3rd request is a 503, every 4th a reset, every 5th a 429.
    proxy.setFaults({
      latencyMs: 2_000,
      status429: { everyNth: 5, retryAfterS: 0.5 },
      status503: { everyNth: 3 },
      reset: { everyNth: 4 },
      pathFilter: /log-batch/,
    });
    logSteps(STORM_STEPS, STEPS);
    await tracker.flush();
    const slow = proxy.stats().faults;
    proxy.clear();
    await tracker.close();

    const stats = tracker.stats().exporters[0]!;
    expect(stats).toMatchObject({ exported: KEYS * STEPS, failed: 0, dropped: 0, spilled: 0, queued: 0 });
    expect(stats.retried).toBeGreaterThan(0);
    expect(storm.status429).toBeGreaterThanOrEqual(12);
    expect(storm.status503 + storm.reset).toBeGreaterThan(0);
    expect(slow.delayed).toBeGreaterThanOrEqual((SLOW_STEPS * KEYS) / 500);
    expect(slow.status429 * slow.status503 * slow.reset).toBeGreaterThan(0);
    expect(readdirSync(spillDir)).toEqual([]);

    const runId = tracker.runHandle().runIds.mlflow!.runId!;
    const counts = (await metricCounts(server))[runId]!;
    expect(counts).toEqual({ rows: KEYS * STEPS, distinct: KEYS * STEPS, keys: KEYS, minStep: 0, maxStep: STEPS - 1 });
    const allSteps = Array.from({ length: STEPS }, (_, s) => s);
    for (const k of [0, KEYS - 1]) expect(historyProblems(await metricHistory(server.url, runId, names[k]!), allSteps, (s) => pointValue(s, k))).toEqual([]);
    expect(tap.accepted.size).toBe(KEYS * STEPS);
    expect(tap.duplicates()).toEqual([]);

    console.log(
      `reliability: MLflow (${SETUP.label}) behind fault proxy, ${KEYS * STEPS} points — ` +
        `storm: ${storm.status429}×429 (Retry-After), ${storm.status503}×503, ` +
        `${storm.reset} resets; ` +
        `slow phase: ${slow.delayed} requests delayed 2 s, ${slow.status429}×429, ${slow.status503}×503, ${slow.reset} resets; ` +
        `tracker retried ${stats.retried} records, exported ${stats.exported}, failed 0, dropped 0; ` +
        `server rows ${counts.rows} (distinct ${counts.distinct}), ` +
        `log-batch accepted ${tap.counts.logBatchOk}, 0 duplicates — held`,
    );
  }, 300_000);
});
