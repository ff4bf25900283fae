/**
 * Load: many processes log to one MLflow server on PostgreSQL with several workers (the production setup),
 * while the server is restarted twice (once SIGKILLed, once stopped gracefully) mid-run. Every point is
 * on the server exactly once: counted with SQL in the database and read back with the MLflow client.
 * Sizes: RELIABILITY_LOAD_WRITERS (default 16) × RELIABILITY_LOAD_PER_WRITER points (default 15,000, CI-sized;
 * the full size is 250,000); RELIABILITY_MLFLOW_STORE / _WORKERS pick the server (PostgreSQL, 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPython, startMlflowServer, type MlflowServer } from '@metrics/oracle';
import type { ExporterStats } from '@metrics/core';
import { lastJsonLine, removeTempDirs, runChild, sleep, tempDir } from './support/faults-children.js';
import { historyProblems, metricCounts, metricHistory, mlflowSetup } from './support/faults-mlflow.js';

const WRITERS = Number(process.env.RELIABILITY_LOAD_WRITERS ?? 16);
const KEYS = 10;
const PER_WRITER = Math.floor(Number(process.env.RELIABILITY_LOAD_PER_WRITER ?? 15_000) / KEYS) * KEYS;
const STEPS = PER_WRITER / KEYS;
const TOTAL = WRITERS * PER_WRITER;
const SETUP = mlflowSetup({ store: 'postgresql', workers: 4 });
const EXPERIMENT = 'reliability-load';
// At the slowest rate seen on a shared 2-core machine (about 1,500 points/s) plus the restarts, with room.
const BUDGET_MS = 300_000 + (TOTAL / 1_500) * 1000;

let server: MlflowServer;
beforeAll(async () => {
  server = await startMlflowServer({ store: SETUP.store, workers: SETUP.workers });
});
afterAll(async () => {
  removeTempDirs();
  await server?.stop();
});

const stored = async () => Object.values(await metricCounts(server)).reduce((n, c) => n + c.rows, 0);

describe(`load: ${WRITERS} processes to one MLflow server (${SETUP.label}), restarted twice`, () => {
  it(
    `${WRITERS} × ${PER_WRITER} points: every point stored exactly once`,
    async () => {
      const started = performance.now();
      let finished = false;
      const writers = Promise.all(
        Array.from({ length: WRITERS }, (_, w) =>
          runChild('load-writer.ts', [server.url, EXPERIMENT, `writer-${w}`, String(PER_WRITER), String(KEYS), tempDir('rel-load-spool-'), String(BUDGET_MS)]),
        ),
      ).finally(() => (finished = true));
      // Restart when a third, then two thirds, of the points are stored: the first time SIGKILL, then a graceful stop.
      const restarts: string[] = [];
      for (const [fraction, how] of [
        [1 / 3, 'kill'],
        [2 / 3, 'stop'],
      ] as const) {
        while (!finished && (await stored()) < TOTAL * fraction) await sleep(500);
        if (finished) break;
        const at = await stored();
        const t0 = performance.now();
        if (how === 'kill') await server.kill();
        await server.restart();
        restarts.push(`${how} at ${at} points stored, back after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      const results = await writers;
      expect(restarts, 'both restarts happened while the writers were running').toHaveLength(2);
      const seconds = (performance.now() - started) / 1000;
      const out = results.map((r) => {
        expect(r.code, r.stderr).toBe(0);
        return { ...lastJsonLine<{ runId: string; loggedMs: number; totalMs: number; stats: ExporterStats }>(r.stdout), stderr: r.stderr };
      });
      for (const w of out)
        expect(w.stats, `${JSON.stringify(w.stats)}\n${w.stderr.slice(-3000)}`).toMatchObject({ exported: PER_WRITER, failed: 0, dropped: 0, queued: 0 });
      expect(new Set(out.map((w) => w.runId)).size).toBe(WRITERS);

      // SQL against the backend store: every run has each (key, step) once, no other rows.
      const counts = await metricCounts(server);
      const total = Object.values(counts).reduce((n, c) => n + c.rows, 0);
      expect(total).toBe(TOTAL);
      for (const w of out) expect(counts[w.runId]).toEqual({ rows: PER_WRITER, distinct: PER_WRITER, keys: KEYS, minStep: 0, maxStep: STEPS - 1 });

      // The MLflow Python client reads every run's history back: the same counts, and the values as logged.
      const viaClient = await runPython<Record<string, { points: number; distinct: number; wrong: number }>>(
        String.raw`
import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1]); keys = int(sys.argv[2])
exp = c.get_experiment_by_name(sys.argv[3])
out = {}
for run in c.search_runs([exp.experiment_id], max_results=1000):
    points = distinct = wrong = 0
    for k in range(keys):
        hist = c.get_metric_history(run.info.run_id, 'training/m%d' % k)
        points += len(hist); distinct += len({m.step for m in hist})
        wrong += sum(1 for m in hist if m.value != m.step * keys + k)
    out[run.info.run_id] = {'points': points, 'distinct': distinct, 'wrong': wrong}
print(json.dumps(out))`,
        { args: [server.url, String(KEYS), EXPERIMENT], timeoutMs: 1_800_000 },
      );
      expect(Object.keys(viaClient).sort()).toEqual(out.map((w) => w.runId).sort());
      for (const w of out) expect(viaClient[w.runId]).toEqual({ points: PER_WRITER, distinct: PER_WRITER, wrong: 0 });
      // And one history per writer over REST, step by step.
      const allSteps = Array.from({ length: STEPS }, (_, s) => s);
      for (const [i, w] of out.entries())
        expect(historyProblems(await metricHistory(server.url, w.runId, `training/m${i % KEYS}`), allSteps, (s) => s * KEYS + (i % KEYS))).toEqual([]);

      console.log(
        `reliability: load — ${WRITERS} processes × ${PER_WRITER} = ${total} points to one MLflow server (${SETUP.label}) in ${seconds.toFixed(1)} s ` +
          `(${Math.round(total / seconds)} points/s) with 2 restarts (${restarts.join('; ')}); ` +
          `log loops took max ${Math.max(...out.map((w) => w.loggedMs))} ms; ` +
          `rows per run all ${PER_WRITER}, distinct; SQL and the MLflow client agree; spilled ${out.reduce((n, w) => n + w.stats.spilled, 0)}, ` +
          `retried ${out.reduce((n, w) => n + w.stats.retried, 0)}, failed 0, dropped 0 — held`,
      );
    },
    BUDGET_MS + 600_000,
  );
});
