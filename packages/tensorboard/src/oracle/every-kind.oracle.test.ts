/**
 * Real-tool proof: every data kind written through the tracker is read back by TensorBoard's Python
 * EventAccumulator (strict CRCs) and by the real `tensorboard` with its Rust data server over HTTP,
 * and by our own reader; the three agree.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPython, startTensorBoard, type TensorBoard } from '@metrics/oracle';
import { createLogger } from '@metrics/core';
import { encodePng } from '@metrics/core/backend';
import { createTensorBoardTracker } from '../tracker.js';
import { readEventFile } from '../reader/index.js';
import { READ_WITH_EVENT_ACCUMULATOR, parseTbJson, type AccRun } from './python-read.js';

const LONG = 20 * 60_000;
let logDir: string;
const RUNS = ['exp/run_a', 'exp/run_b'] as const;
const BIG = 'exp/big_steps';
const V2 = 'exp/v2_scalars';
const PIXELS = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]); // 3x2 RGB
const GREY = encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array([0, 85, 170, 255]) });
const PRE = { min: -1, max: 2, count: 10, sum: 5, sumSquares: 9, bucketLimits: [0, 1, 2], bucketCounts: [3, 4, 3] };
const WEIGHTS = [0.1, 0.2, 0.2, 0.5, -1, 3, 3.5, 0];
const HP = { run_a: { lr: 0.1, optimizer: 'sgd', batch_norm: true }, run_b: { lr: 0.01, optimizer: 'adam', batch_norm: false } };
const loss = (run: number, step: number) => 1 / (step + 1) + run / 1000;
const acc = (run: number, step: number) => 0.5 + step / 10 + run / 100;

const V2_EXPECTED = [...Array.from({ length: 20 }, (_, s) => [s, Math.fround(loss(0, s))]), [20, 'NaN']];

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'tb-oracle-'));
  for (const [i, runName] of (['run_a', 'run_b'] as const).entries()) {
    // nonFinite 'keep': this test checks that NaN/±Inf are carried (core skips them by default).
    const tracker = createTensorBoardTracker({
      logDir,
      experiment: 'exp',
      runName,
      nonFinite: 'keep',
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
    });
    tracker.logHyperparams(HP[runName], { metrics: ['validation/accuracy'] });
    tracker.logConfig({ lr: HP[runName].lr, layers: [8, 4] });
    for (let step = 0; step < 50; step++) tracker.log({ 'training/loss': loss(i, step) }, { step });
    for (let step = 0; step < 5; step++) tracker.log({ 'validation/accuracy': acc(i, step) }, { step });
    tracker.log({ 'custom/odd': Number.NaN }, { step: 0 });
    tracker.log({ 'custom/odd': Number.POSITIVE_INFINITY }, { step: 1 });
    tracker.log({ 'custom/odd': Number.NEGATIVE_INFINITY }, { step: 2 });
    tracker.logHistogram('model/weights', WEIGHTS, { step: 1 });
    tracker.logHistogram('model/pre', PRE, { step: 3 });
    tracker.logImage('evaluation/sample', { width: 3, height: 2, channels: 3, data: PIXELS }, { step: 1 });
    tracker.logImage('evaluation/encoded', { mimeType: 'image/png', bytes: GREY, width: 2, height: 2, channels: 1 }, { step: 2 });
    tracker.logText('model/summary', '# Model\n\n| layer | units |\n|---|---|\n| dense | 8 |', { step: 1 });
    await tracker.close();
    expect(tracker.stats().exporters[0]).toMatchObject({ failed: 0, dropped: 0 });
  }
  // Not in a trial run: TensorBoard's hparams plugin fails (HTTP 500) on steps above int32 in a trial's metrics.
  const big = createTensorBoardTracker({ logDir, experiment: 'exp', runName: 'big_steps', handleExit: false, logger: createLogger({ level: 'silent' }) });
  big.log({ 'custom/big_step': 2 }, { step: 2 ** 40 });
  await big.close();
  // TF2-style scalars: rank-0 DT_FLOAT tensors with the scalars plugin metadata on the first event.
  const v2 = createTensorBoardTracker({
    logDir,
    experiment: 'exp',
    runName: 'v2_scalars',
    scalarFormat: 'tensor',
    nonFinite: 'keep',
    handleExit: false,
    logger: createLogger({ level: 'silent' }),
  });
  for (let step = 0; step < 20; step++) v2.log({ 'training/loss': loss(0, step) }, { step });
  v2.log({ 'training/loss': Number.NaN }, { step: 20 });
  await v2.close();
}, LONG);

afterAll(() => {
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

describe('TensorBoard Python EventAccumulator reads every kind', () => {
  let py: Record<string, AccRun>;
  beforeAll(async () => {
    py = await runPython<Record<string, AccRun>>(READ_WITH_EVENT_ACCUMULATOR, { args: [...RUNS, BIG, V2].map((r) => join(logDir, r)), timeoutMs: 5 * 60_000 });
  }, LONG);

  it('scalars (float32, NaN/±Inf, 2^40 step), file version and writer', () => {
    for (const [i, run] of RUNS.entries()) {
      const r = py[join(logDir, run)]!;
      expect(r.file_version).toBe(2);
      expect(r.writer).toBe('@metrics/tensorboard');
      expect(r.scalars['training/loss']!.map(([s, v]) => [s, v])).toEqual(Array.from({ length: 50 }, (_, s) => [s, Math.fround(loss(i, s))]));
      expect(r.scalars['validation/accuracy']!.map(([s, v]) => [s, v])).toEqual(Array.from({ length: 5 }, (_, s) => [s, Math.fround(acc(i, s))]));
      expect(r.scalars['custom/odd']!.map(([s, v]) => [s, v])).toEqual([
        [0, 'NaN'],
        [1, 'Infinity'],
        [2, '-Infinity'],
      ]);
      for (const [, , wall] of r.scalars['training/loss']!) expect(Number.isFinite(wall) && wall > 1.6e9).toBe(true);
    }
    expect(py[join(logDir, BIG)]!.scalars['custom/big_step']!.map(([s, v]) => [s, v])).toEqual([[2 ** 40, 2]]);
    // v2 tensor scalars show under Tensors() with the scalars plugin, as TF2's do.
    const v2 = py[join(logDir, V2)]!.tensors['training/loss']!;
    expect(v2.plugin).toBe('scalars');
    expect(v2.values.map((x) => [x.step, (x.value as (number | string)[])[0]])).toEqual(V2_EXPECTED);
  });

  it('histograms from raw values and from pre-computed buckets', () => {
    const r = py[join(logDir, RUNS[0])]!;
    const [pre] = r.histograms['model/pre']!;
    expect(pre).toEqual({ step: 3, min: -1, max: 2, num: 10, sum: 5, sum_squares: 9, limits: [0, 1, 2], counts: [3, 4, 3] });
    const [w] = r.histograms['model/weights']!;
    expect(w).toMatchObject({ step: 1, min: -1, max: 3.5, num: WEIGHTS.length });
    expect(w!.sum).toBeCloseTo(
      WEIGHTS.reduce((a, b) => a + b),
      12,
    );
    expect(w!.counts.reduce((a, b) => a + b)).toBe(WEIGHTS.length);
    // Every value sits in the bucket whose right edge is the first limit above it.
    for (const v of WEIGHTS) {
      const idx = w!.limits.findIndex((l) => l > v);
      expect(idx).toBeGreaterThanOrEqual(0);
      expect(w!.counts[idx]).toBeGreaterThan(0);
    }
  });

  it('images: raw pixels as PNG and a passed-through PNG decode with PIL to the same pixels', () => {
    const r = py[join(logDir, RUNS[0])]!;
    expect(r.images['evaluation/sample']).toEqual([{ step: 1, width: 3, height: 2, mode: 'RGB', size: [3, 2], pixels: [...PIXELS] }]);
    expect(r.images['evaluation/encoded']).toEqual([{ step: 2, width: 2, height: 2, mode: 'L', size: [2, 2], pixels: [0, 85, 170, 255] }]);
  });

  it('text (rank-0 Markdown) and config', () => {
    const r = py[join(logDir, RUNS[0])]!;
    expect(r.tensors['model/summary']).toEqual({
      plugin: 'text',
      values: [{ step: 1, value: '# Model\n\n| layer | units |\n|---|---|\n| dense | 8 |', shape: [] }],
    });
    const cfg = r.tensors.config!;
    expect(cfg.plugin).toBe('text');
    expect(JSON.parse((cfg.values[0]!.value as string).replace(/^```json\n|\n```$/g, ''))).toEqual({ lr: 0.1, layers: [8, 4] });
  });

  it('hparams session start (values) and end (status SUCCESS)', () => {
    for (const [i, run] of RUNS.entries()) {
      const r = py[join(logDir, run)]!;
      expect(r.hparams['_hparams_/session_start_info']).toEqual(HP[i === 0 ? 'run_a' : 'run_b']);
      expect(r.hparams['_hparams_/session_end_info']).toEqual({ status: 1 });
    }
  });

  it('our reader agrees with the EventAccumulator on every scalar and histogram', () => {
    for (const run of RUNS) {
      const dir = join(logDir, run);
      const files = readdirSync(dir).filter((f) => f.includes('tfevents'));
      expect(files).toHaveLength(1);
      const ours = readEventFile(join(dir, files[0]!));
      expect(ours.errors).toEqual([]);
      const scalars: Record<string, [number, number | string][]> = {};
      const hist: Record<string, number[]> = {};
      for (const ev of ours.events)
        for (const v of ev.values) {
          if (v.kind === 'scalar')
            (scalars[v.tag] ??= []).push([
              ev.step,
              Number.isNaN(v.value) ? 'NaN' : v.value === Infinity ? 'Infinity' : v.value === -Infinity ? '-Infinity' : v.value,
            ]);
          if (v.kind === 'histogram') hist[v.tag] = v.bucketCounts;
        }
      const theirs = py[dir]!;
      expect(scalars).toEqual(Object.fromEntries(Object.entries(theirs.scalars).map(([t, pts]) => [t, pts.map(([s, v]) => [s, v])])));
      expect(hist).toEqual(Object.fromEntries(Object.entries(theirs.histograms).map(([t, h]) => [t, h[0]!.counts])));
    }
  });
});

describe.each([
  { loadFast: true, what: 'the Rust data server' },
  { loadFast: false, what: 'the Python loader' },
])('real TensorBoard with $what (--load_fast=$loadFast) over HTTP', ({ loadFast }) => {
  let tb: TensorBoard;
  beforeAll(async () => {
    tb = await startTensorBoard(logDir, { loadFast });
    await tb.waitForRuns([...RUNS, BIG, V2]);
  }, LONG);
  afterAll(async () => {
    await tb?.stop();
  });

  const raw = async <T>(path: string): Promise<T> => parseTbJson<T>(await (await fetch(tb.url + path)).text());
  const q = (run: string, tag: string) => `run=${encodeURIComponent(run)}&tag=${encodeURIComponent(tag)}`;

  it('runs the loader asked for', () => {
    if (loadFast) expect(tb.dataServer?.cmdline).toMatch(/server/);
    else expect(tb.dataServer).toBeUndefined();
  });

  it('scalars equal (float32), NaN/±Inf served as such, 2^40 step', async () => {
    for (const [i, run] of RUNS.entries()) {
      const pts = await tb.waitForScalars(run, 'training/loss', 50);
      expect(pts.map(([, s, v]) => [s, v])).toEqual(Array.from({ length: 50 }, (_, s) => [s, Math.fround(loss(i, s))]));
      await tb.waitForScalars(run, 'custom/odd', 3);
      const odd = await raw<[number, number, number | string][]>(`/data/plugin/scalars/scalars?${q(run, 'custom/odd')}`);
      expect(odd.map(([, s, v]) => [s, v])).toEqual([
        [0, 'NaN'],
        [1, 'Infinity'],
        [2, '-Infinity'],
      ]);
    }
    const big = await tb.waitForScalars(BIG, 'custom/big_step', 1);
    expect(big.map(([, s, v]) => [s, v])).toEqual([[2 ** 40, 2]]);
    await tb.waitForScalars(V2, 'training/loss', 21);
    const v2 = await raw<[number, number, number | string][]>(`/data/plugin/scalars/scalars?${q(V2, 'training/loss')}`);
    expect(v2.map(([, s, v]) => [s, v])).toEqual(V2_EXPECTED);
  });

  it('histograms as [left, right, count] rows', async () => {
    const h = await tb.getJson<[number, number, [number, number, number][]][]>(`/data/plugin/histograms/histograms?${q(RUNS[0], 'model/pre')}`);
    expect(h.map(([, s, rows]) => [s, rows])).toEqual([
      [
        3,
        [
          [-1, 0, 3],
          [0, 1, 4],
          [1, 2, 3],
        ],
      ],
    ]);
    const w = await tb.getJson<[number, number, [number, number, number][]][]>(`/data/plugin/histograms/histograms?${q(RUNS[0], 'model/weights')}`);
    expect(w[0]![2].reduce((a, r) => a + r[2], 0)).toBe(WEIGHTS.length);
  });

  it('images served as the PNG bytes we wrote', async () => {
    const list = await tb.getJson<{ step: number; query: string }[]>(`/data/plugin/images/images?${q(RUNS[0], 'evaluation/encoded')}&sample=0`);
    expect(list.map((x) => x.step)).toEqual([2]);
    const bytes = new Uint8Array(await (await fetch(`${tb.url}/data/plugin/images/individualImage?${list[0]!.query}`)).arrayBuffer());
    expect(Buffer.from(bytes).equals(Buffer.from(GREY))).toBe(true);
    const sample = await tb.getJson<{ step: number; query: string }[]>(`/data/plugin/images/images?${q(RUNS[0], 'evaluation/sample')}&sample=0`);
    const png = Buffer.from(await (await fetch(`${tb.url}/data/plugin/images/individualImage?${sample[0]!.query}`)).arrayBuffer());
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('text rendered from Markdown', async () => {
    const t = await tb.getJson<{ step: number; text: string }[]>(`/data/plugin/text/text?${q(RUNS[0], 'model/summary')}`);
    expect(t).toHaveLength(1);
    expect(t[0]!.step).toBe(1);
    expect(t[0]!.text).toContain('<h1>Model</h1>');
    expect(t[0]!.text).toContain('<table>');
  });

  it('hparams session groups list both runs with hparams and last metric values', async () => {
    const body = {
      experimentName: '',
      allowedStatuses: ['STATUS_UNKNOWN', 'STATUS_SUCCESS', 'STATUS_FAILURE', 'STATUS_RUNNING'],
      colParams: [],
      startIndex: 0,
      sliceSize: 100,
      includeMetrics: true,
    };
    const res = await tb
      .postJson<{
        sessionGroups: {
          name: string;
          hparams: Record<string, unknown>;
          metricValues: { name: { tag: string; group: string }; value: number; trainingStep: number }[];
          sessions: { status?: string }[];
        }[];
      }>('/data/plugin/hparams/session_groups', body)
      .catch((e: Error) => {
        throw new Error(`${e.message}\n${tb.logTail(40)}`);
      });
    const groups = Object.fromEntries(res.sessionGroups.map((g) => [g.name, g]));
    expect(Object.keys(groups).sort()).toEqual([...RUNS]); // big_steps has no hparams: not a trial
    for (const [i, run] of RUNS.entries()) {
      const g = groups[run]!;
      expect(g.hparams).toEqual(HP[i === 0 ? 'run_a' : 'run_b']);
      const accuracy = g.metricValues.find((m) => m.name.tag === 'validation/accuracy' && m.name.group === '');
      expect(accuracy).toMatchObject({ value: Math.fround(acc(i, 4)), trainingStep: 4 });
      expect(g.sessions[0]!.status).toBe('STATUS_SUCCESS');
    }
  });
});
