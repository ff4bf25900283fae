/**
 * Load: many processes log to one MLflow server on PostgreSQL with several workers (the production setup),
 * while the server is restarted twice (once SIGKILLed, once stopped gracefully) mid-run. Every point is
 * on the server exactly once: counted with SQL in the database and read back with the MLflow client.
 * Sizes: RELIABILITY_LOAD_WRITERS (default 16) × RELIABILITY_LOAD_PER_WRITER points (default 15,000, CI-sized;
 * the full size is 250,000); RELIABILITY_MLFLOW_STORE / _WORKERS pick the server (PostgreSQL, 4).
 * The scenario and its checks are @metrics/oracle's runMlflowLoad / checkMlflowLoad, which `pnpm bench` runs too.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMlflowLoad, loadBudgetMs, runMlflowLoad, startMlflowServer, type MlflowServer } from '@metrics/oracle';
import { childEnv, reliabilityDir, removeTempDirs, repoDir, tempDir } from './support/faults-children.js';
import { historyProblems, metricHistory, mlflowSetup } from './support/faults-mlflow.js';

const WRITERS = Number(process.env.RELIABILITY_LOAD_WRITERS ?? 16);
const KEYS = 10;
const PER_WRITER = Math.floor(Number(process.env.RELIABILITY_LOAD_PER_WRITER ?? 15_000) / KEYS) * KEYS;
const STEPS = PER_WRITER / KEYS;
const TOTAL = WRITERS * PER_WRITER;
const SETUP = mlflowSetup({ store: 'postgresql', workers: 4 });
const BUDGET_MS = loadBudgetMs(TOTAL);
// The writer `pnpm bench` runs too; started like the other children, on the packages' sources.
const WRITER = { script: join(repoDir, 'packages/mlflow/bench/load-writer.ts'), env: childEnv(), cwd: reliabilityDir };

let server: MlflowServer;
beforeAll(async () => {
  server = await startMlflowServer({ store: SETUP.store, workers: SETUP.workers });
});
afterAll(async () => {
  removeTempDirs();
  await server?.stop();
});

describe(`load: ${WRITERS} processes to one MLflow server (${SETUP.label}), restarted twice`, () => {
  it(
    `${WRITERS} × ${PER_WRITER} points: every point stored exactly once`,
    async () => {
      const run = await runMlflowLoad(server, {
        writers: WRITERS,
        perWriter: PER_WRITER,
        keys: KEYS,
        experiment: 'reliability-load',
        budgetMs: BUDGET_MS,
        writer: WRITER,
        spillDir: () => tempDir('rel-load-spool-'),
      });
      // Both restarts while the writers ran; every writer delivered all its points; SQL and the MLflow client agree.
      const check = await checkMlflowLoad(server, run);
      expect(check.runProblems).toEqual([]);
      expect(check.sqlProblems).toEqual([]);
      expect(check.clientProblems).toEqual([]);
      const out = check.writers;
      // And one history per writer over REST, step by step.
      const allSteps = Array.from({ length: STEPS }, (_, s) => s);
      for (const [i, w] of out.entries())
        expect(historyProblems(await metricHistory(server.url, w.runId, `training/m${i % KEYS}`), allSteps, (s) => s * KEYS + (i % KEYS))).toEqual([]);

      const restarts = run.restarts.map((r) => `${r.how} at ${r.atStored} points stored, back after ${(r.downtimeMs / 1000).toFixed(1)} s`);
      console.log(
        `reliability: load — ${WRITERS} processes × ${PER_WRITER} = ${check.rows} points to one MLflow server (${SETUP.label}) ` +
          `in ${run.seconds.toFixed(1)} s ` +
          `(${Math.round(check.rows / run.seconds)} points/s) with 2 restarts (${restarts.join('; ')}); ` +
          `log loops took max ${Math.max(...out.map((w) => w.loggedMs))} ms; ` +
          `rows per run all ${PER_WRITER}, distinct; SQL and the MLflow client agree; spilled ${out.reduce((n, w) => n + w.stats.spilled, 0)}, ` +
          `retried ${out.reduce((n, w) => n + w.stats.retried, 0)}, failed 0, dropped 0 — held`,
      );
    },
    BUDGET_MS + 600_000,
  );
});
