import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { histogramRecord, testRunInfo } from '@metrics/core/test';
import { useTempDirs } from '@metrics/core/test/vitest';
import { createLogger } from '@metrics/core';
import type { TrackingRecord } from '@metrics/core/backend';
import { createTensorBoardExporter } from './exporter.js';
import { bucketsProblem } from '@metrics/core/backend';
import { listRuns, readEventFile } from './reader/index.js';

const tempDir = useTempDirs('tb-bad');
const run = () => testRunInfo();
const good = { min: 0, max: 1, count: 1, sum: 1, sumSquares: 1, bucketLimits: [1], bucketCounts: [1] };
const histogram = histogramRecord;

function valuesIn(logDir: string) {
  const out: { kind: string; tag: string }[] = [];
  for (const [, files] of listRuns(logDir))
    for (const f of files) for (const ev of readEventFile(f).events) for (const v of ev.values) if ('tag' in v) out.push({ kind: v.kind, tag: v.tag });
  return out;
}

describe('pre-computed histogram buckets are validated before encoding', () => {
  it('names the problem of each malformed shape and accepts good buckets', () => {
    expect(bucketsProblem(good)).toBeUndefined();
    expect(bucketsProblem({ ...good, bucketLimits: [Number.MAX_VALUE], bucketCounts: [0] })).toBeUndefined();
    const bad: Record<string, unknown> = {
      'counts null': { ...good, bucketCounts: null },
      'limits a string': { ...good, bucketLimits: '1' },
      'lengths differ': { ...good, bucketCounts: [1, 2] },
      empty: { ...good, bucketLimits: [], bucketCounts: [] },
      'count not a number': { ...good, bucketCounts: ['1'] },
      'negative count': { ...good, bucketCounts: [-1] },
      'NaN count': { ...good, bucketCounts: [Number.NaN] },
      // biome-ignore lint/suspicious/noSparseArray: a sparse array is the hostile input under test
      'sparse counts': { ...good, bucketLimits: [1, 2], bucketCounts: [1, , 2].slice(0, 2) },
      'min missing': { ...good, min: undefined },
      'not an object': 5,
    };
    const problems = Object.fromEntries(Object.entries(bad).map(([k, b]) => [k, bucketsProblem(b)]));
    for (const [k, p] of Object.entries(problems)) expect(p, k).toEqual(expect.any(String));
  });
});

describe('TensorBoard exporter: one bad record in a batch', () => {
  it('skips a malformed histogram with one warning, writes the rest and reports only it as failed', async () => {
    const logDir = tempDir();
    const warnings: string[] = [];
    const ex = createTensorBoardExporter({ logDir, logger: createLogger({ level: 'warn', sink: (_l, line) => warnings.push(line) }) });
    await ex.start(run());
    const bad = [
      histogram('training/bad', 1, { ...good, bucketCounts: null }),
      histogram('training/bad', 2, { ...good, bucketCounts: [1, 2] }),
      histogram('training/odd', 1, { ...good, bucketCounts: ['x'] }),
    ];
    const batch: TrackingRecord[] = [
      { kind: 'scalar', name: 'training/a', value: 1, step: 1, wallTime: Date.now() },
      bad[0]!,
      histogram('training/h', 1, good),
      bad[1]!,
      { kind: 'text', name: 'notes/t', text: 'hi', step: 1, wallTime: Date.now() },
      bad[2]!,
      { kind: 'scalar', name: 'training/b', value: 2, step: 2, wallTime: Date.now() },
    ];
    const result = await ex.export(batch);
    await ex.shutdown({ status: 'finished' });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok ? [] : result.remaining).toEqual(bad);
    expect(valuesIn(logDir)).toEqual([
      { kind: 'scalar', tag: 'training/a' },
      { kind: 'histogram', tag: 'training/h' },
      { kind: 'text', tag: 'notes/t' },
      { kind: 'scalar', tag: 'training/b' },
    ]);
    // One warning per metric, naming it and the reason.
    const skipped = warnings.filter((w) => w.includes('skipped'));
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toMatch(/training\/bad.*bucketCounts/);
    expect(skipped[1]).toMatch(/training\/odd.*bucketCounts\[0\]/);
  });

  it('returns ok for a batch without bad records', async () => {
    const ex = createTensorBoardExporter({ logDir: tempDir(), logger: createLogger({ level: 'silent' }) });
    await ex.start(run());
    expect(await ex.export([histogram('training/h', 1, good)])).toEqual({ ok: true });
    await ex.shutdown({ status: 'finished' });
  });

  it('writes a config that refers to itself twice (cycles marked, no blow-up)', async () => {
    const logDir = tempDir();
    const ex = createTensorBoardExporter({ logDir, logger: createLogger({ level: 'silent' }) });
    await ex.start(run());
    const config: Record<string, unknown> = { lr: 0.1 };
    config.a = config;
    config.b = config;
    expect(await ex.export([{ kind: 'config', config, wallTime: Date.now() }])).toEqual({ ok: true });
    await ex.shutdown({ status: 'finished' });
    const [files] = [...listRuns(logDir).values()];
    const texts = files!.flatMap((f) => readEventFile(f).events.flatMap((e) => e.values)).filter((v) => v.kind === 'text');
    expect(texts).toHaveLength(1);
    expect(JSON.parse((texts[0] as { text: string }).text.replace(/^```json\n|\n```$/g, ''))).toEqual({ lr: 0.1, a: '[Circular]', b: '[Circular]' });
  });
});

describe('TensorBoard exporter start()', () => {
  it('treats ENAMETOOLONG as permanent (not retried)', async () => {
    const logDir = tempDir();
    const ex = createTensorBoardExporter({ runDir: join(logDir, 'x'.repeat(300)), logger: createLogger({ level: 'silent' }) });
    const result = await ex.start(run());
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : { code: (result.error as NodeJS.ErrnoException).code, retryable: result.retryable }).toEqual({
      code: 'ENAMETOOLONG',
      retryable: false,
    });
    expect(readdirSync(logDir)).toEqual([]);
  });
});
