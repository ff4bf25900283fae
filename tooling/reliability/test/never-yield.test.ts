/**
 * A loop that never yields keeps everything it logs. Each case runs a child process (test/children/never-yield.ts)
 * with DEFAULT queue options (200,000 records per exporter): a synchronous loop logs N scalars (10 per step)
 * without ever awaiting, then flushes and closes. The real tools read back every point; the child's peak
 * RSS must stay bounded.
 *
 * Sizes: 1,000,000 points for TensorBoard and W&B offline (local: written inline once the queue is full);
 * MLflow 220,000 and the facade (all three) 300,000 points, because the sqlite-backed MLflow server takes
 * only a few thousand points/s here and the spooled tail is sent after the loop. Both are past the queue,
 * so the overflow policy is exercised. The facade logs every step (`experimentLoggingInterval: 1`; its default
 * of 10 averages ten steps into one point); queue and overflow options stay at their defaults. `RELIABILITY_NEVER_YIELD_SCALE` (e.g. 0.3) shrinks all four.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowServer, startTensorBoard, type MlflowServer } from '@metrics/oracle';
import type { PipelineStats } from '@metrics/core';
import { readEventFile } from '@metrics/tensorboard';
import { lastJsonLine, removeTempDirs, runChild, tempDir } from './support/faults-children.js';
import { eventFileIn, historyRows, leetInspect } from './support/faults-readers.js';
import { metricHistory, historyProblems as mlflowHistoryProblems, sqliteMetricCounts } from './support/faults-mlflow.js';
import { historyProblems } from './support/never-yield-readers.js';

const SCALE = Number(process.env.RELIABILITY_NEVER_YIELD_SCALE ?? 1);
const size = (n: number) => Math.round((n * SCALE) / 10) * 10;
const KEYS = 10;
const RSS_BOUND_MB = 600;

interface ChildResult {
  atLoopEnd: PipelineStats;
  stats: PipelineStats;
  runIds: Record<string, Record<string, string>>;
  wandbRunDir?: string;
  peakRssMb: number;
  callerNsPerScalar: number;
  maxCallMs: number;
  loopMs: number;
  loopCpuMs: number;
}

async function neverYield(backend: string, points: number, mlflowUri?: string): Promise<ChildResult & { dir: string }> {
  const dir = tempDir(`rel-never-yield-${backend}-`);
  const r = await runChild('never-yield.ts', [dir, backend, String(points), ...(mlflowUri ? [mlflowUri] : [])]);
  expect(r.code, r.stderr.slice(-4000)).toBe(0);
  const result = lastJsonLine<ChildResult>(r.stdout);
  console.log(
    `reliability: never-yield ${backend} ${points} points — peak RSS ${result.peakRssMb} MB; loop ${result.loopMs} ms wall, ${result.loopCpuMs} ms CPU ` +
      `(${result.callerNsPerScalar} ns/scalar wall); longest log() ${result.maxCallMs} ms (loaded 2-core machine: wall times are not asserted)`,
  );
  return { ...result, dir };
}

/** Nothing dropped or failed; every point exported (none left in a spool). */
function expectAllExported(stats: PipelineStats, points: number): void {
  expect(stats.accepted).toBe(points);
  for (const e of stats.exporters) expect(e, e.name).toMatchObject({ exported: points, dropped: 0, failed: 0, queued: 0 });
}

/** With the queue full long before the loop ended, the overflow policy ran (inline writes or spool). */
function expectOverflowHandled(atLoopEnd: PipelineStats, points: number): void {
  for (const e of atLoopEnd.exporters) {
    expect(e.dropped, e.name).toBe(0);
    if (e.name === 'mlflow') expect(e.spilled, e.name).toBeGreaterThan(0);
    // Written inline; or, for W&B, spooled while its writer thread was still starting (it gets up to 3 s).
    else expect(e.exported + e.spilled, `${e.name}: written inline (or spooled) while the caller never yielded`).toBeGreaterThan(0);
    expect(e.exported + e.queued, e.name).toBe(points);
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Real TensorBoard (its Rust data server) serves every point of every tag; our reader agrees on the file. */
async function expectTensorBoardHasAll(logDir: string, run: string, steps: number): Promise<void> {
  const file = eventFileIn(join(logDir, run));
  const ours = readEventFile(file);
  expect(ours.errors).toEqual([]);
  expect(ours.events.reduce((n, ev) => n + ev.values.filter((v) => v.kind === 'scalar').length, 0)).toBe(steps * KEYS);
  const tb = await startTensorBoard(logDir, { samplesPerPlugin: `scalars=${steps}` });
  try {
    await tb.waitForRuns([run], 120_000);
    for (let k = 0; k < KEYS; k++) {
      const points = await tb.waitForScalars(run, `training/m${k}`, steps, 120_000);
      expect(points.length).toBe(steps);
      const bad = points.filter(([, step, value], i) => step !== i || value !== step * KEYS + k);
      expect(bad.slice(0, 5), `training/m${k}`).toEqual([]);
    }
  } finally {
    await tb.stop();
  }
}

/** wandb's own reader (`wandb leet inspect`) finds one history row per step, with all ten values. */
async function expectWandbHasAll(runDir: string, steps: number): Promise<void> {
  const inspected = await leetInspect(runDir);
  expect(inspected.code, inspected.stderr.slice(-2000)).toBe(0);
  expect(historyProblems(historyRows(inspected.records), steps)).toEqual([]);
}

/** The MLflow server stored every point once (sqlite store counts) and serves full histories (REST). */
async function expectMlflowHasAll(server: MlflowServer, runId: string, steps: number): Promise<void> {
  const counts = await sqliteMetricCounts(server.dbPath);
  expect(counts[runId]).toEqual({ rows: steps * KEYS, distinct: steps * KEYS, keys: KEYS, minStep: 0, maxStep: steps - 1 });
  for (const k of [0, 9]) {
    const history = await metricHistory(server.url, runId, `training/m${k}`);
    expect(mlflowHistoryProblems(history, range(steps), (s) => s * KEYS + k)).toEqual([]);
  }
}

let server: MlflowServer;
beforeAll(async () => {
  server = await startMlflowServer();
});
afterAll(async () => {
  removeTempDirs();
  await server?.stop();
});

describe('a loop that never yields loses nothing (default options)', () => {
  it(`TensorBoard: ${size(1_000_000)} scalars, every one served by TensorBoard; memory bounded`, async () => {
    const points = size(1_000_000);
    const r = await neverYield('tensorboard', points);
    expectOverflowHandled(r.atLoopEnd, points);
    expectAllExported(r.stats, points);
    expect(r.peakRssMb).toBeLessThan(RSS_BOUND_MB);
    await expectTensorBoardHasAll(join(r.dir, 'runs', 'never-yield'), 'tensorboard', points / KEYS);
  });

  it(`W&B offline: ${size(1_000_000)} scalars, every one read back by wandb; memory bounded`, async () => {
    const points = size(1_000_000);
    const r = await neverYield('wandb', points);
    expectOverflowHandled(r.atLoopEnd, points);
    expectAllExported(r.stats, points);
    expect(r.peakRssMb).toBeLessThan(RSS_BOUND_MB);
    await expectWandbHasAll(r.wandbRunDir!, points / KEYS);
  });

  it(`MLflow: ${size(220_000)} scalars, the spooled tail sent after the loop; every one stored; memory bounded`, async () => {
    const points = size(220_000);
    const r = await neverYield('mlflow', points, server.url);
    expectOverflowHandled(r.atLoopEnd, points);
    expectAllExported(r.stats, points);
    expect(r.peakRssMb).toBeLessThan(RSS_BOUND_MB);
    await expectMlflowHasAll(server, r.runIds.mlflow!.runId!, points / KEYS);
  });

  it(`the facade with all three: ${size(300_000)} scalars, every one in each backend; memory bounded`, async () => {
    const points = size(300_000);
    const r = await neverYield('facade', points, server.url);
    expect(r.stats.exporters.map((e) => e.name).sort()).toEqual(['mlflow', 'tensorboard', 'wandb']);
    expectOverflowHandled(r.atLoopEnd, points);
    expectAllExported(r.stats, points);
    expect(r.peakRssMb).toBeLessThan(RSS_BOUND_MB);
    await expectMlflowHasAll(server, r.runIds.mlflow!.runId!, points / KEYS);
    await expectWandbHasAll(r.wandbRunDir!, points / KEYS);
    await expectTensorBoardHasAll(join(r.dir, 'runs', 'never-yield'), 'facade', points / KEYS);
  });
});
