import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { InvalidCallError, InvalidMetricValueError } from '../errors.js';
import { createTracker } from '../tracker.js';
import { InMemoryExporter } from '../testing/in-memory-exporter.js';
import { decodeWav, encodeWav } from '../media/wav.js';
import { markdownTable } from '../media/markdown-table.js';
import { confusionExamples, confusionCounts, prCurveExamples, prCurvePoints } from './curves.js';
import { decodeSpoolLine, encodeSpoolLine } from '../spool.js';
import { sampleRecords } from '../testing/sample-records.js';
import { RECORD_KINDS } from '../spec.js';
import { checkAudio, checkConfusionMatrix, checkPrCurve, checkTable, checkTags, MAX_TABLE_ROWS } from './kinds.js';

function tracker(validation: 'warn' | 'strict' = 'warn') {
  const memory = new InMemoryExporter();
  const lines: string[] = [];
  const t = createTracker({ exporters: [memory], handleExit: false, validation, logger: createLogger({ sink: (_l, line) => lines.push(line) }) });
  return { t, memory, lines };
}

describe('PR curve statistics', () => {
  it('counts predictions at or above each threshold, with the 1e-7 floor on empty denominators', () => {
    const p = prCurvePoints([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], 3);
    expect(p.thresholds).toEqual([0, 0.5, 1]);
    expect(p.truePositives).toEqual([2, 1, 0]);
    expect(p.falsePositives).toEqual([2, 1, 0]);
    expect(p.trueNegatives).toEqual([0, 1, 2]);
    expect(p.falseNegatives).toEqual([0, 1, 2]);
    expect(p.precision).toEqual([0.5, 0.5, 0]);
    expect(p.recall).toEqual([1, 0.5, 0]);
  });

  it('examples rebuilt from a curve give the same curve (a Tracker used as a backend)', () => {
    const labels = Array.from({ length: 200 }, (_, i) => (i * 7919) % 3 === 0);
    const predictions = Array.from({ length: 200 }, (_, i) => ((i * 104729) % 1000) / 999);
    for (const n of [2, 7, 51, 201]) {
      const curve = prCurvePoints(labels, predictions, n);
      const again = prCurveExamples(curve);
      expect(prCurvePoints(again.labels, again.predictions, n)).toEqual(curve);
    }
  });

  it('confusion counts and their examples round-trip', () => {
    const counts = confusionCounts(3, [0, 1, 2, 2, 1], [0, 2, 2, 1, 1]);
    expect(counts).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 1, 1],
    ]);
    const e = confusionExamples(counts);
    expect(confusionCounts(3, e.actual, e.predicted)).toEqual(counts);
  });
});

describe('WAV and Markdown', () => {
  it('encodes 16-bit PCM with the RIFF header and clips loud samples', () => {
    const { wav, clipped } = encodeWav([0, 0.5, -1.5, 1], 22050, 2);
    expect(clipped).toBe(1);
    const view = new DataView(wav.buffer);
    expect(Buffer.from(wav.subarray(0, 4)).toString()).toBe('RIFF');
    expect(view.getUint16(22, true)).toBe(2);
    expect(view.getUint32(24, true)).toBe(22050);
    expect(view.getUint32(40, true)).toBe(8);
    expect([...decodeWav(wav)].map((v) => Math.round(v * 1000) / 1000)).toEqual([0, 0.5, -1, 1]);
  });

  it('escapes pipes, backslashes and line breaks in Markdown cells', () => {
    expect(
      markdownTable(
        ['a|b', 'c'],
        [
          ['x\ny', null],
          ['\\', true],
        ],
      ),
    ).toBe('| a\\|b | c |\n|---|---|\n| x y |  |\n| \\\\ | true |');
  });
});

describe('payload checks', () => {
  it('tables: unique columns, rows as wide as the header, JSON scalars; NaN cells become null', () => {
    expect(checkTable({ columns: ['a', 'a'], rows: [] })).toEqual({ ok: false, problem: 'columns: column names must be unique' });
    expect(checkTable({ columns: ['a', 'b'], rows: [[1]] })).toEqual({ ok: false, problem: 'rows.0: has 1 cells, the table 2 columns' });
    expect(checkTable({ columns: ['a'], rows: [[{}]] })).toMatchObject({
      ok: false,
      problem: expect.stringContaining('a cell must be a string, number, boolean or null'),
    });
    expect(checkTable({ columns: ['a'], rows: Array.from({ length: MAX_TABLE_ROWS + 1 }, () => [1]) })).toMatchObject({ ok: false });
    expect(checkTable({ columns: ['a', 'b'], rows: [[Number.NaN, 'x']] })).toEqual({
      ok: true,
      value: { columns: ['a', 'b'], rows: [[null, 'x']] },
      notes: ['1 NaN/Infinity cells are logged as null (a table is JSON)'],
    });
  });

  it('PR curves, confusion matrices, audio and tags name the bad entry', () => {
    expect(checkPrCurve({ labels: [1, 2], predictions: [0.5, 0.5] })).toMatchObject({
      problem: expect.stringContaining('labels.1: a label must be 0, 1, true or false (got 2)'),
    });
    expect(checkPrCurve({ labels: [1], predictions: [1.5] })).toMatchObject({ problem: expect.stringContaining('predictions.0') });
    expect(checkPrCurve({ labels: [1], predictions: [0.5, 0.1] })).toMatchObject({ problem: expect.stringContaining('must match') });
    expect(checkPrCurve({ labels: [1], predictions: [0.5], numThresholds: 1 })).toMatchObject({ ok: false });
    expect(checkConfusionMatrix({ classNames: ['a', 'b'], actual: [0, 2n], predicted: [0, 1] })).toMatchObject({
      problem: expect.stringContaining('actual.1: 2n is neither'),
    });
    expect(checkConfusionMatrix({ classNames: ['a', 'b'], actual: ['a', 'b'], predicted: [1, 'a'] })).toMatchObject({
      ok: true,
      value: {
        counts: [
          [0, 1],
          [1, 0],
        ],
      },
    });
    expect(checkAudio({ sampleRate: 8000, channels: 2, samples: [0, 0.1, 0.2] })).toMatchObject({
      problem: expect.stringContaining('not a whole number of 2-channel frames'),
    });
    expect(checkAudio({ sampleRate: 8000, channels: 1, samples: [Number.NaN] })).toMatchObject({ problem: expect.stringContaining('samples.0') });
    expect(checkAudio({ sampleRate: 8000, channels: 1, samples: new Float32Array([0.5, 2]) })).toMatchObject({
      ok: true,
      value: { frames: 2 },
      notes: ['1 samples outside [-1, 1] were clipped'],
    });
    expect(checkTags({ '': 'x' })).toEqual({ ok: false, problem: 'a tag key must not be empty' });
    expect(checkTags({ a: 1 })).toMatchObject({ ok: false, problem: expect.stringContaining('a:') });
    expect(checkTags({ a: 'x'.repeat(8001) })).toMatchObject({ ok: false });
  });
});

describe('the tracker methods', () => {
  it('push one record each, copied from the caller (who may reuse its buffers)', async () => {
    const { t, memory } = tracker();
    const rows: (number | string)[][] = [[1, 'cat']];
    const samples = new Float32Array([0, 0.5]);
    t.logTable('evaluation/predictions', { columns: ['id', 'label'], rows }, { step: 3 });
    t.logAudio('evaluation/speech', { sampleRate: 8000, channels: 1, samples }, { step: 3, caption: 'hi' });
    t.logPrCurve('evaluation/pr', { labels: [true, false], predictions: [0.8, 0.3] }, { step: 3 });
    t.logConfusionMatrix('evaluation/confusion', { classNames: ['a', 'b'], actual: [0, 1], predicted: [1, 1] });
    t.setTags({ stage: 'eval', api_key: 'sk-live-123' });
    t.setNote('**done**');
    rows[0]![1] = 'dog';
    samples[1] = 0.9;
    await t.close();
    const byKind = Object.fromEntries(memory.records.map((r) => [r.kind, r]));
    expect(byKind.table).toMatchObject({ name: 'evaluation/predictions', step: 3, rows: [[1, 'cat']] });
    expect(byKind.audio).toMatchObject({ step: 3, frames: 2, caption: 'hi' });
    expect(decodeWav((byKind.audio as { wav: Uint8Array }).wav)[1]).toBeCloseTo(0.5, 4);
    expect((byKind.pr_curve as { thresholds: number[] }).thresholds).toHaveLength(201);
    // Step-less media calls use the current step, as images do.
    expect(byKind.confusion_matrix).toMatchObject({
      step: 3,
      counts: [
        [0, 1],
        [0, 1],
      ],
    });
    // Secrets in tags are masked like hyperparameters.
    expect((byKind.tags as { tags: Record<string, string> }).tags.stage).toBe('eval');
    expect((byKind.tags as { tags: Record<string, string> }).tags.api_key).not.toContain('sk-live-123');
    expect(byKind.note).toMatchObject({ text: '**done**' });
    expect(t.stats()).toMatchObject({ accepted: 6, skipped: 0 });
  });

  it('bad data: skipped with one warning and counted (warn); a typed error (strict); a bad options shape throws in both', async () => {
    const warn = tracker();
    warn.t.logTable('evaluation/t', { columns: ['a'], rows: [[1, 2]] });
    warn.t.logTable('evaluation/t', { columns: ['a'], rows: [[1, 2]] });
    warn.t.setTags(null as never);
    expect(warn.t.stats()).toMatchObject({ accepted: 0, skipped: 3, skippedBy: { invalidValue: 3 } });
    expect(warn.lines.filter((l) => l.includes('Skipping table "evaluation/t"'))).toHaveLength(1);
    expect(() => warn.t.logAudio('evaluation/a', { sampleRate: 1, channels: 1, samples: [0] }, { step: '3' } as never)).toThrow(InvalidCallError);
    await warn.t.close();
    const strict = tracker('strict');
    expect(() => strict.t.logPrCurve('evaluation/pr', { labels: [3], predictions: [0.5] })).toThrow(InvalidMetricValueError);
    expect(() => strict.t.setNote(5 as never)).toThrow(/note/);
    await strict.t.close();
  });
});

describe('spooling', () => {
  it('every structured record survives the spool line format (a WAV as base64, curves as arrays)', () => {
    const records = sampleRecords(new Set(['table', 'pr_curve', 'confusion_matrix', 'audio', 'tags', 'note', 'dataset']));
    expect(records.map((r) => r.kind)).toEqual(RECORD_KINDS.slice(-7));
    for (const r of records) expect(decodeSpoolLine(encodeSpoolLine(r))).toEqual(r);
  });
});
