/**
 * History rows per second written offline: our .wandb writer vs the wandb Python SDK in offline mode,
 * logging the same rows (ROWS steps × 10 scalars) in one run each. Run: node --import tsx bench/index.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type TrackingRecord } from '@metrics/core';
import { nsPerOp, report } from '@metrics/bench';
import { runPython } from '@metrics/oracle';
import { createWandbExporter, createWandbTracker } from '../src/index.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000); // the workload measured in the spec (§7)
const METRICS = 10;
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

async function exporterRun(prepared: TrackingRecord[][]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wandb-bench-'));
  const e = createWandbExporter({ mode: 'offline', dir, logger: silent, env: {} });
  await e.start({ experiment: 'bench', runName: 'bench', tags: {}, startTime: Date.now() });
  for (const b of prepared) await e.export(b);
  await e.shutdown({ status: 'finished' });
  rmSync(dir, { recursive: true, force: true });
}

async function trackerRun(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wandb-bench-'));
  const t = createWandbTracker({ mode: 'offline', dir, env: {}, experiment: 'bench', runName: 'bench', handleExit: false, logger: silent });
  const row: Record<string, number> = {};
  for (let step = 0; step < ROWS; step++) {
    for (let i = 0; i < METRICS; i++) row[names[i]!] = value(step, i);
    t.log(row, { step });
  }
  await t.close();
  rmSync(dir, { recursive: true, force: true });
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

async function main(): Promise<void> {
  const prepared = batches();
  const exporterNs = await nsPerOp(() => exporterRun(prepared), ROWS, 7);
  const trackerNs = await nsPerOp(() => trackerRun(), ROWS, 5);
  const py = await runPython<{ seconds: number; version: string }>(PYTHON, { args: [String(ROWS), String(METRICS)], timeoutMs: 600_000 });
  const pyRowsPerSec = ROWS / py.seconds;
  const ours = 1e9 / exporterNs;
  report({ package: '@metrics/wandb', name: `offline history rows/s (exporter, ${METRICS} scalars/row)`, value: ours, unit: 'rows/s', peer: `wandb ${py.version} offline (Python)`, peerValue: pyRowsPerSec, ratio: ours / pyRowsPerSec });
  const viaTracker = 1e9 / trackerNs;
  report({ package: '@metrics/wandb', name: `offline history rows/s (tracker log→close)`, value: viaTracker, unit: 'rows/s', peer: `wandb ${py.version} offline (Python)`, peerValue: pyRowsPerSec, ratio: viaTracker / pyRowsPerSec });
}

await main();
