import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type TrackingRecord } from '@metrics/core';
import * as after from '../src/index.js';
import * as before from './index.js';

const ROWS = 20_000, METRICS = 10, BATCH_ROWS = 100;
const names = Array.from({ length: METRICS }, (_, i) => `training/metric_${i}`);
const silent = createLogger({ level: 'silent' });
const value = (step: number, i: number) => Math.sin(step * 0.01 + i) * 100 + step * 1e-3;
function batches(): TrackingRecord[][] {
  const out: TrackingRecord[][] = []; const t0 = Date.now();
  for (let start = 0; start < ROWS; start += BATCH_ROWS) {
    const batch: TrackingRecord[] = [];
    for (let step = start; step < Math.min(ROWS, start + BATCH_ROWS); step++)
      for (let i = 0; i < METRICS; i++) batch.push({ kind: 'scalar', name: names[i]!, value: value(step, i), step, wallTime: t0 + step });
    out.push(batch);
  }
  return out;
}
async function run(mod: typeof after, prepared: TrackingRecord[][]) {
  const dir = mkdtempSync(join(tmpdir(), 'wandb-ab-'));
  const e = mod.createWandbExporter({ mode: 'offline', dir, logger: silent, env: {} });
  const t0 = process.hrtime.bigint();
  await e.start({ experiment: 'bench', runName: 'bench', tags: {}, startTime: Date.now() });
  for (const b of prepared) await e.export(b);
  await e.shutdown({ status: 'finished' });
  const ns = Number(process.hrtime.bigint() - t0);
  rmSync(dir, { recursive: true, force: true });
  return ROWS / (ns / 1e9);
}
const which = process.argv[2] ?? 'both';
const prepared = batches();
const res: Record<string, number[]> = { before: [], after: [] };
for (let r = 0; r < 12; r++) {
  if (which !== 'after') res.before.push(await run(before as never, prepared));
  if (which !== 'before') res.after.push(await run(after, prepared));
}
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
for (const k of Object.keys(res)) if (res[k].length) console.log(k, Math.round(med(res[k].slice(2))), 'rows/s (median of', res[k].length - 2, ')');
