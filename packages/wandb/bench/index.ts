/**
 * History rows per second written offline: our .wandb writer vs the wandb Python SDK in offline mode,
 * logging the same rows (ROWS steps × 10 scalars) in one run each. Both sides time the same span: from
 * the first logged row until the run is finished and its file closed (Python: after `wandb.init` returns,
 * until `run.finish()` returns; ours: after the exporter's `start` or `createWandbTracker` returns, until
 * `shutdown`/`close` resolves). Creating and deleting the temporary directory is outside the timing on both
 * sides. Both sides are medians: ours of 15 runs after 5 warm-up runs, Python's of PY_RUNS (default 3) runs, whose
 * spread is reported too (one Python run alone varies by a third from run to run here). The Python client
 * runs in the same bench run, so every ratio compares the two under the same machine load. Each of our
 * rows/s figures is measured in a fresh process of its own, as Python's runs are: measured one after the
 * other in one process, a figure inherited the previous ones' heap and compiled code (the tracker path ran
 * at 50–60 ms per run after the exporter figures, 35–40 ms alone).
 * Also, with the tracker's default options, 10 scalars a step: a loop that never yields beside one that
 * yields every 1 000 steps (NEVER_YIELD_SCALARS, default 1 M): caller ns/scalar and the longest log() call.
 * Run: node --import tsx bench/index.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@metrics/core';
import type { TrackingRecord } from '@metrics/core/backend';
import { loggingLoop, median, report } from '@metrics/bench';
import { runPython } from '@metrics/oracle';
import { createWandbExporter, createWandbTracker } from '../src/index.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000); // the workload measured in the spec (§7)
const METRICS = 10;
const PY_RUNS = Number(process.env.BENCH_PY_RUNS ?? 3);
const BATCH_ROWS = 100; // the pipeline's default batch is about this size
const names = Array.from({ length: METRICS }, (_, i) => `training/metric_${i}`);
const silent = createLogger({ level: 'silent' });
const value = (step: number, i: number) => Math.sin(step * 0.01 + i) * 100 + step * 1e-3;

function batches(): TrackingRecord[][] {
  const out: TrackingRecord[][] = [];
  const t0 = Date.now();
  for (let start = 0; start < ROWS; start += BATCH_ROWS) {
    const batch: TrackingRecord[] = [];
    for (let step = start; step < Math.min(ROWS, start + BATCH_ROWS); step++)
      for (let i = 0; i < METRICS; i++) batch.push({ kind: 'scalar', name: names[i]!, value: value(step, i), step, wallTime: t0 + step });
    out.push(batch);
  }
  return out;
}

type Writer = 'thread' | 'inline';

/** Milliseconds for one run through the exporter alone (the writer's throughput). */
async function exporterRun(prepared: TrackingRecord[][], offlineWriter: Writer): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'wandb-bench-'));
  const e = createWandbExporter({ mode: 'offline', dir, logger: silent, env: {}, offlineWriter });
  await e.start({ experiment: 'bench', runName: 'bench', tags: {}, startTime: Date.now() });
  const t0 = performance.now();
  for (const b of prepared) await e.export(b);
  await e.shutdown({ status: 'finished' });
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

/** Milliseconds for one run through the whole tracker: log() per row as a training loop does, then close(). */
async function trackerRun(offlineWriter: Writer): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'wandb-bench-'));
  const t = createWandbTracker({ mode: 'offline', dir, env: {}, experiment: 'bench', runName: 'bench', handleExit: false, logger: silent, offlineWriter });
  const t0 = performance.now();
  const row: Record<string, number> = {};
  for (let step = 0; step < ROWS; step++) {
    for (let i = 0; i < METRICS; i++) row[names[i]!] = value(step, i);
    t.log(row, { step });
  }
  await t.close();
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

/**
 * Rows per second: the median of `rounds` runs after five warm-up runs (a training loop logs for minutes: its
 * steady state is what counts; the first few runs of a process still compile the path).
 */
async function rowsPerSecond(run: () => Promise<number>, rounds: number): Promise<number> {
  for (let w = 0; w < 5; w++) await run();
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) ms.push(await run());
  return ROWS / (median(ms) / 1000);
}

const NEVER_YIELD_SCALARS = Number(process.env.NEVER_YIELD_SCALARS ?? 1_000_000);

/** Default options; `yieldEvery` 0 never awaits, else a macrotask every `yieldEvery` steps. Medians of 3 runs. */
async function defaultOptionsLoop(yieldEvery: number): Promise<{ callerNs: number; maxCallMs: number; perSec: number }> {
  const runs: { callerNs: number; maxCallMs: number; perSec: number }[] = [];
  for (let round = 0; round < 3; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-bench-'));
    const t = createWandbTracker({ mode: 'offline', dir, env: {}, experiment: 'bench', runName: 'loop', handleExit: false, logger: silent });
    const t0 = process.hrtime.bigint();
    const { callerNs, maxCallMs } = await loggingLoop(t, NEVER_YIELD_SCALARS, yieldEvery, METRICS);
    await t.close();
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const ex = t.stats().exporters[0]!;
    if (ex.exported !== NEVER_YIELD_SCALARS || ex.dropped + ex.failed !== 0) throw new Error(`bench: exported ${ex.exported} of ${NEVER_YIELD_SCALARS}`);
    rmSync(dir, { recursive: true, force: true });
    runs.push({ callerNs, maxCallMs, perSec: NEVER_YIELD_SCALARS / secs });
  }
  return { callerNs: median(runs.map((r) => r.callerNs)), maxCallMs: median(runs.map((r) => r.maxCallMs)), perSec: median(runs.map((r) => r.perSec)) };
}

const PYTHON = `
import json, os, sys, tempfile, time
os.environ["WANDB_SILENT"] = "true"
import math, wandb
rows, metrics = int(sys.argv[1]), int(sys.argv[2])
names = ["training/metric_%d" % i for i in range(metrics)]
d = tempfile.mkdtemp()
run = wandb.init(project="bench", mode="offline", dir=d)
t0 = time.perf_counter()
for step in range(rows):
    run.log({names[i]: math.sin(step * 0.01 + i) * 100 + step * 1e-3 for i in range(metrics)}, step=step)
run.finish()
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "version": wandb.__version__}))
`;

function exporterFigure(writer: Writer): Promise<number> {
  const prepared = batches();
  return rowsPerSecond(() => exporterRun(prepared, writer), 15);
}

const FIGURES = {
  'exporter-thread': () => exporterFigure('thread'),
  'exporter-inline': () => exporterFigure('inline'),
  'tracker-thread': () => rowsPerSecond(() => trackerRun('thread'), 15),
  'tracker-inline': () => rowsPerSecond(() => trackerRun('inline'), 15),
} as const;
type Figure = keyof typeof FIGURES;

/** One figure measured in a fresh process (this script, `figure <name>`), so no figure runs on another's heap. */
function inFreshProcess(figure: Figure): number {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'figure', figure], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{')) throw new Error(`bench: figure ${figure} failed (exit ${child.status}): ${last}`);
  return (JSON.parse(last) as { value: number }).value;
}

async function main(): Promise<void> {
  const exporterThread = inFreshProcess('exporter-thread');
  const exporterInline = inFreshProcess('exporter-inline');
  const trackerThread = inFreshProcess('tracker-thread');
  const trackerInline = inFreshProcess('tracker-inline');
  type PythonRun = { seconds: number; version: string };
  const pyRuns: PythonRun[] = [];
  for (let r = 0; r < PY_RUNS; r++) pyRuns.push(await runPython<PythonRun>(PYTHON, { args: [String(ROWS), String(METRICS)], timeoutMs: 600_000 }));
  const pyRates = pyRuns.map((r) => ROWS / r.seconds);
  const pyRowsPerSec = median(pyRates);
  const spread = `${Math.round(Math.min(...pyRates)).toLocaleString('en-US')}–${Math.round(Math.max(...pyRates)).toLocaleString('en-US')}`;
  const peer = `wandb ${pyRuns[0]!.version} offline (Python, median of ${PY_RUNS}: ${spread})`;
  const figure = (name: string, ours: number) =>
    report({ package: '@metrics/wandb', name, value: ours, unit: 'rows/s', peer, peerValue: pyRowsPerSec, ratio: ours / pyRowsPerSec });
  figure(`offline rows/s, exporter, writer thread (${METRICS} scalars/row)`, exporterThread);
  figure(`offline rows/s, exporter, inline writer`, exporterInline);
  figure(`offline rows/s, tracker log→close, writer thread`, trackerThread);
  figure(`offline rows/s, tracker log→close, inline writer`, trackerInline);
  for (const [loop, yieldEvery] of [
    ['never-yielding', 0],
    ['yielding', 1000],
  ] as const) {
    const f = await defaultOptionsLoop(yieldEvery);
    const name = `${loop} loop, default options (${NEVER_YIELD_SCALARS / 1e6}M scalars, 10/step, median of 3)`;
    report({ package: '@metrics/wandb', name: `scalars/s log→close, ${name}`, value: f.perSec, unit: 'scalars/s' });
    report({ package: '@metrics/wandb', name: `log() caller cost, ${name}`, value: f.callerNs, unit: 'ns/scalar' });
    report({ package: '@metrics/wandb', name: `longest single log() call, ${name}`, value: f.maxCallMs, unit: 'ms' });
  }
}

if (process.argv[2] === 'figure') {
  const figure = process.argv[3] as Figure;
  if (!(figure in FIGURES)) throw new Error(`bench: unknown figure ${figure}`);
  console.log(JSON.stringify({ value: await FIGURES[figure]() }));
} else await main();
