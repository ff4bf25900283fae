/**
 * A real MLflow server is SIGKILLed and restarted three times while a run logs 100,000 points through
 * createMlflowTracker (default full-queue policy: spill). The caller never waits: every log() returns
 * at once, also while the server is down. After close every point is on the server exactly once.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowServer, type MlflowServer } from '@metrics/oracle';
import { createLogger } from '@metrics/core';
import { createMlflowTracker } from '@metrics/mlflow';
import { removeTempDirs, sleep, tempDir } from './support/faults-children.js';
import { historyProblems, metricCounts, metricHistory, mlflowSetup } from './support/faults-mlflow.js';
import { startMetricTap, type MetricTap } from './support/faults-tap.js';

const KEYS = 10;
const STEPS = 10_000; // 10 metrics × 10,000 steps = 100,000 points
const SEGMENT = 2_000; // steps per phase: 20,000 points
const KILLS = 3;
const names = Array.from({ length: KEYS }, (_, k) => `training/m${k}`);
const pointValue = (step: number, k: number) => step * KEYS + k;
// The production setup: the database outlives the server processes, each worker reconnects its pool.
const SETUP = mlflowSetup({ store: 'postgresql', workers: 2 });

let server: MlflowServer;
// The client talks to the server through a counting tap. While the server is down the tap accepts the
// connection and then drops it unanswered: the ambiguous "sent, maybe processed, no answer" case.
let tap: MetricTap;
beforeAll(async () => {
  server = await startMlflowServer({ store: SETUP.store, workers: SETUP.workers });
  tap = await startMetricTap(server.url);
});
afterAll(async () => {
  removeTempDirs();
  await tap?.stop();
  await server?.stop();
});

async function serverAnswers(): Promise<boolean> {
  try {
    return (await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

describe(`MLflow server (${SETUP.label}) killed and restarted during a 100,000-point run`, () => {
  it('delivers every point exactly once, spilling and retrying, and log() never waits', async () => {
    const spillDir = tempDir('rel-restart-spool-');
    const lines: string[] = [];
    const tracker = createMlflowTracker({
      trackingUri: tap.url,
      experiment: 'reliability-restart',
      runName: 'restart-100k',
      spillDir,
      handleExit: false,
      env: {},
      logger: createLogger({ level: 'warn', sink: (_l, line) => lines.push(line) }),
      // A small in-memory queue so an outage spills to disk early; quick retries so recovery is prompt.
      batch: { scheduledDelayMs: 50, maxQueueSize: 5_000 },
      retry: { initialDelayMs: 50, maxDelayMs: 1_000 },
    });
    let returnedSomething = 0;
    const logSteps = (from: number, to: number) => {
      const values: Record<string, number> = {};
      for (let step = from; step < to; step++) {
        for (let k = 0; k < KEYS; k++) values[names[k]!] = pointValue(step, k);
        const r: unknown = tracker.log(values, { step });
        if (r !== undefined) returnedSomething++;
      }
    };

    logSteps(0, SEGMENT);
    const loopsWhileDown: number[] = [];
    let step = SEGMENT;
    for (let kill = 1; kill <= KILLS; kill++) {
      await server.kill();
      expect(await serverAnswers()).toBe(false);
      const t0 = performance.now();
      logSteps(step, step + SEGMENT); // 20,000 points while nothing listens
      loopsWhileDown.push(Math.round(performance.now() - t0));
      expect(await serverAnswers()).toBe(false); // the loop finished before any server came back
      step += SEGMENT;
      await server.restart();
      // Let the pipeline resume, so the next kill lands while it drains the spool.
      const before = tracker.stats().exporters[0]!.exported;
      for (let i = 0; i < 200 && tracker.stats().exporters[0]!.exported === before; i++) await sleep(50);
    }
    logSteps(step, STEPS);
    expect(returnedSomething).toBe(0);

    await tracker.close(undefined, { timeoutMs: 180_000 });
    const stats = tracker.stats().exporters[0]!;
    expect(stats).toMatchObject({ exported: KEYS * STEPS, failed: 0, dropped: 0, queued: 0 });
    expect(stats.spilled).toBeGreaterThan(0);
    expect(stats.retried).toBeGreaterThan(0);
    expect(readdirSync(spillDir)).toEqual([]); // the spool was read back completely and removed

    const runId = tracker.runHandle().runIds.mlflow!.runId!;
    const counts = (await metricCounts(server))[runId]!;
    expect(counts).toEqual({ rows: KEYS * STEPS, distinct: KEYS * STEPS, keys: KEYS, minStep: 0, maxStep: STEPS - 1 });
    const allSteps = Array.from({ length: STEPS }, (_, s) => s);
    for (const k of [0, 4, 9]) expect(historyProblems(await metricHistory(server.url, runId, names[k]!), allSteps, (s) => pointValue(s, k))).toEqual([]);
    // Accepted by the server exactly once each: no batch was re-sent after the server took it.
    expect(tap.accepted.size).toBe(KEYS * STEPS);
    expect(tap.duplicates()).toEqual([]);
    // One ❌ line per failing operation ("start"/"export failed, retrying…"), never one per retry.
    const errors = lines.filter((l) => l.includes('❌'));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2);
    for (const e of errors) expect(e).toMatch(/mlflow (start|export) failed, retrying with backoff/);

    console.log(
      `reliability: MLflow server (${SETUP.label}) SIGKILLed ${KILLS}× and restarted during ${KEYS * STEPS} points — ` +
        `exported ${stats.exported}, spilled ${stats.spilled}, retried ${stats.retried}, failed ${stats.failed}, dropped ${stats.dropped}; ` +
        `server rows ${counts.rows} (distinct ${counts.distinct}); log-batch accepted ${tap.counts.logBatchOk}, refused ${tap.counts.logBatchFailed}, ` +
        `server down ${tap.counts.upstreamDown}; 0 duplicates; ${errors.length} ❌ lines; log loops of 20000 points while down: ` +
        `${loopsWhileDown.join('/')} ms — held`,
    );
  }, 600_000);
});
