/**
 * The MLflow load scenario, shared by the reliability suite's load test and the MLflow package's bench: `writers`
 * processes each log `perWriter` points (`keys` metrics a step, value = step * keys + key) to one server, which is
 * restarted twice mid-run (SIGKILLed when a third of the points are stored, stopped gracefully at two thirds).
 * Then every point must be on the server exactly once: counted with SQL in the backend store, and read back
 * with the MLflow Python client. The writer is a script of the caller's (packages/mlflow/bench/load-writer.ts),
 * run with `node --import tsx`; its argv: <trackingUri> <experiment> <runName> <points> <keys> <spillDir>
 * <closeTimeoutMs>, and its last stdout line is JSON: { runId, loggedMs, totalMs, stats }.
 */
import { spawn } from 'node:child_process';
import { metricCounts, type RunRowCounts } from './mlflow-metric-counts.js';
import type { MlflowServer } from './mlflow-server.js';
import { trackChild } from './processes.js';
import { runPython } from './python.js';

export interface MlflowLoadOptions {
  writers: number;
  /** Points per writer: a multiple of `keys`. */
  perWriter: number;
  keys: number;
  experiment: string;
  /** How long each writer may wait for its points to be delivered (its flush and close timeout). */
  budgetMs: number;
  /** The writer script, and the environment and working directory to start it in (`tsx` must resolve there). */
  writer: { script: string; env?: NodeJS.ProcessEnv; cwd?: string };
  /** A fresh spill directory for one writer (the caller removes them). */
  spillDir(): string;
}

export interface LoadRestart {
  how: 'kill' | 'stop';
  /** Points stored (SQL) when the server went down. */
  atStored: number;
  /** From going down until the server answered again. */
  downtimeMs: number;
}

export interface LoadWriterExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface MlflowLoadRun {
  options: MlflowLoadOptions;
  total: number;
  seconds: number;
  restarts: LoadRestart[];
  exits: LoadWriterExit[];
}

/** What a writer reports about itself (the exporter's stats, the fields the checks read). */
export interface LoadWriterReport {
  runId: string;
  loggedMs: number;
  totalMs: number;
  stats: { exported: number; failed: number; dropped: number; queued: number; spilled: number; retried: number };
  stderr: string;
}

export interface MlflowLoadCheck {
  /** The writers that exited 0, in writer order. */
  writers: LoadWriterReport[];
  /** Rows in the backend store's `metrics` table (SQL). */
  rows: number;
  /** Restarts not done, writers that failed or did not deliver everything, run ids not distinct. */
  runProblems: string[];
  /** Exactly-once violations counted with SQL in the backend store. */
  sqlProblems: string[];
  /** Exactly-once violations seen by the MLflow Python client reading every run's history. */
  clientProblems: string[];
}

/** A writer's flush/close budget: the slowest rate seen on a shared 2-core machine (about 1,500 points/s), the restarts, and room. */
export function loadBudgetMs(totalPoints: number): number {
  return 300_000 + (totalPoints / 1_500) * 1000;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function storedPoints(server: MlflowServer): Promise<number> {
  return Object.values(await metricCounts(server)).reduce((n, c) => n + c.rows, 0);
}

/** Runs the writers against `server`, restarting it twice on the way; returns when every writer has exited. */
export async function runMlflowLoad(server: MlflowServer, options: MlflowLoadOptions): Promise<MlflowLoadRun> {
  const { writers, perWriter, keys, experiment, budgetMs } = options;
  if (perWriter % keys !== 0) throw new Error(`runMlflowLoad: perWriter (${perWriter}) must be a multiple of keys (${keys})`);
  const total = writers * perWriter;
  const started = performance.now();
  let finished = false;
  const running = Promise.all(
    Array.from({ length: writers }, (_, w) =>
      runWriter(options.writer, [server.url, experiment, `writer-${w}`, String(perWriter), String(keys), options.spillDir(), String(budgetMs)]),
    ),
  ).finally(() => (finished = true));
  const restarts: LoadRestart[] = [];
  for (const [fraction, how] of [
    [1 / 3, 'kill'],
    [2 / 3, 'stop'],
  ] as const) {
    while (!finished && (await storedPoints(server)) < total * fraction) await sleep(500);
    if (finished) break;
    const atStored = await storedPoints(server);
    const t0 = performance.now();
    if (how === 'kill') await server.kill();
    await server.restart();
    restarts.push({ how, atStored, downtimeMs: performance.now() - t0 });
  }
  const exits = await running;
  return { options, total, seconds: (performance.now() - started) / 1000, restarts, exits };
}

function runWriter(writer: MlflowLoadOptions['writer'], args: string[]): Promise<LoadWriterExit> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer.script, ...args], {
    cwd: writer.cwd,
    env: writer.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child); // never left behind when this process ends
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Checks a finished run: every writer delivered everything, and every point is on the server exactly once. */
export async function checkMlflowLoad(server: MlflowServer, run: MlflowLoadRun): Promise<MlflowLoadCheck> {
  const { writers: count, perWriter, keys, experiment } = run.options;
  const steps = perWriter / keys;
  const runProblems: string[] = [];
  if (run.restarts.length !== 2) runProblems.push(`${run.restarts.length} of 2 restarts happened while the writers were running`);
  const writers: LoadWriterReport[] = [];
  for (const [w, exit] of run.exits.entries()) {
    const report = exit.code === 0 ? lastJsonLine<Omit<LoadWriterReport, 'stderr'>>(exit.stdout) : undefined;
    if (!report) {
      runProblems.push(`writer-${w} exited with code ${exit.code}\n${exit.stderr.slice(-3000)}`);
      continue;
    }
    writers.push({ ...report, stderr: exit.stderr });
    const { exported, failed, dropped, queued } = report.stats;
    if (exported !== perWriter || failed !== 0 || dropped !== 0 || queued !== 0)
      runProblems.push(`writer-${w} did not deliver all ${perWriter} points: ${JSON.stringify(report.stats)}\n${exit.stderr.slice(-3000)}`);
  }
  if (new Set(writers.map((w) => w.runId)).size !== count) runProblems.push(`${new Set(writers.map((w) => w.runId)).size} distinct run ids, expected ${count}`);

  // SQL against the backend store: every run has each (key, step) once, no other rows.
  const counts = await metricCounts(server);
  const rows = Object.values(counts).reduce((n, c) => n + c.rows, 0);
  const sqlProblems: string[] = [];
  if (rows !== run.total) sqlProblems.push(`${rows} rows in the metrics table, expected ${run.total}`);
  const expected: RunRowCounts = { rows: perWriter, distinct: perWriter, keys, minStep: 0, maxStep: steps - 1 };
  for (const w of writers)
    if (!sameCounts(counts[w.runId], expected)) sqlProblems.push(`run ${w.runId}: ${JSON.stringify(counts[w.runId])}, expected ${JSON.stringify(expected)}`);

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
    { args: [server.url, String(keys), experiment], timeoutMs: 1_800_000 },
  );
  const clientProblems: string[] = [];
  const seen = Object.keys(viaClient).sort();
  const ours = writers.map((w) => w.runId).sort();
  if (JSON.stringify(seen) !== JSON.stringify(ours)) clientProblems.push(`the client sees runs ${seen.join(', ')}; the writers logged to ${ours.join(', ')}`);
  for (const w of writers) {
    const got = viaClient[w.runId];
    if (got?.points !== perWriter || got.distinct !== perWriter || got.wrong !== 0)
      clientProblems.push(`run ${w.runId}: the client reads ${JSON.stringify(got)}, expected ${perWriter} points, all distinct, none wrong`);
  }
  return { writers, rows, runProblems, sqlProblems, clientProblems };
}

function sameCounts(a: RunRowCounts | undefined, b: RunRowCounts): boolean {
  return a !== undefined && (Object.keys(b) as (keyof RunRowCounts)[]).every((k) => a[k] === b[k]);
}

function lastJsonLine<T>(stdout: string): T | undefined {
  const line = stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .at(-1);
  return line === undefined ? undefined : (JSON.parse(line) as T);
}
