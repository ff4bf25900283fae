/**
 * TensorBoard only, ten million scalars (10 per step) from a loop that never yields, DEFAULT options: every
 * point is in the event file and the child's peak RSS stays bounded (the queue holds 200,000 records; the rest
 * is written inline). At this size the file (~580 MB) is checked with our reader, streamed record by record;
 * never-yield.test.ts checks 1,000,000 points with TensorBoard itself. `RELIABILITY_NEVER_YIELD_10M_POINTS`
 * changes the size.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { PipelineStats } from '@metrics/core';
import { EventDecoder, iterateRecords, type RecordError } from '@metrics/tensorboard';
import { lastJsonLine, removeTempDirs, runChild, tempDir } from './support/faults-children.js';
import { eventFileIn } from './support/faults-readers.js';

const POINTS = Number(process.env.RELIABILITY_NEVER_YIELD_10M_POINTS ?? 10_000_000);
const KEYS = 10;

afterAll(() => removeTempDirs());

it(`TensorBoard: ${POINTS} scalars from a loop that never yields, all in the file; memory bounded`, async () => {
  const dir = tempDir('rel-never-yield-10m-');
  const r = await runChild('never-yield.ts', [dir, 'tensorboard', String(POINTS)]);
  expect(r.code, r.stderr.slice(-4000)).toBe(0);
  const result = lastJsonLine<{ stats: PipelineStats; peakRssMb: number; loopMs: number; loopCpuMs: number; maxCallMs: number }>(r.stdout);
  console.log(
    `reliability: never-yield tensorboard ${POINTS} points — peak RSS ${result.peakRssMb} MB; loop ${result.loopMs} ms wall, ${result.loopCpuMs} ms CPU; ` +
      `longest log() ${result.maxCallMs} ms (not asserted)`,
  );
  expect(result.stats.exporters[0]).toMatchObject({ exported: POINTS, dropped: 0, failed: 0, spilled: 0, queued: 0 });
  expect(result.peakRssMb).toBeLessThan(600);

  // Streamed: one decoded event at a time, per-tag counters only.
  const bytes = readFileSync(eventFileIn(join(dir, 'runs', 'never-yield', 'tensorboard')));
  const errors: RecordError[] = [];
  const decoder = new EventDecoder();
  const next = new Array<number>(KEYS).fill(0);
  const problems: string[] = [];
  for (const rec of iterateRecords(bytes, errors)) {
    const ev = decoder.decode(rec.data);
    for (const v of ev.values) {
      if (v.kind !== 'scalar') continue;
      const k = Number(v.tag.slice('training/m'.length));
      if ((ev.step !== next[k] || v.value !== ev.step * KEYS + k) && problems.length < 5)
        problems.push(`${v.tag} step ${ev.step} (expected ${next[k]}): ${v.value}`);
      next[k]!++;
    }
  }
  expect(errors).toEqual([]);
  expect(problems).toEqual([]);
  expect(next).toEqual(new Array(KEYS).fill(POINTS / KEYS));
}, 300_000);
