import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { InvalidMetricValueError } from '../errors.js';
import { createTracker } from '../tracker.js';
import { InMemoryExporter } from '../testing/in-memory-exporter.js';
import { kindsExcept, RECORD_KINDS, type DatasetRecord } from '../spec.js';
import { checkDataset, datasetSourceType } from './dataset.js';

const IRIS = { name: 'iris', source: 'https://example.com/iris.csv', schema: [{ name: 'sepal_length', type: 'double' }], profile: { num_rows: 150 } };

describe('checkDataset', () => {
  it('fills in an 8-hex digest that follows the description, and the source type from the URI', () => {
    const a = checkDataset(IRIS);
    const b = checkDataset({ ...IRIS, context: 'training' });
    const c = checkDataset({ ...IRIS, profile: { num_rows: 151 } });
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected valid datasets');
    expect(a.value.digest).toMatch(/^[0-9a-f]{8}$/);
    expect(b.value.digest).toBe(a.value.digest); // the context is how the run used it, not what it is
    expect(c.value.digest).not.toBe(a.value.digest);
    expect(a.value.sourceType).toBe('http');
    expect(checkDataset({ ...IRIS, digest: 'abc' })).toMatchObject({ ok: true, value: { digest: 'abc' } });
    expect(['/data/x.csv', 'file:///data/x.csv', 's3://bucket/x', 'gs://b/x', 'http://h/x'].map(datasetSourceType)).toEqual([
      'local',
      'local',
      's3',
      'gs',
      'http',
    ]);
  });

  it('never passes on credentials in the source URI', () => {
    const r = checkDataset({ name: 'd', source: 'https://user:token@example.com/d.csv' });
    expect(r).toMatchObject({ ok: true, value: { source: 'https://example.com/d.csv' } });
  });

  it('names the problem: unknown keys, limits, bad schema and profile', () => {
    expect(checkDataset({ ...IRIS, context: 'training', rows: [] })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/rows.*known: name, source, digest/),
    });
    expect(checkDataset({ ...IRIS, digest: 'x'.repeat(37) })).toMatchObject({ ok: false, problem: expect.stringMatching(/digest.*at most 36/) });
    expect(checkDataset({ name: 'd' })).toMatchObject({ ok: false, problem: expect.stringMatching(/^source:/) });
    expect(
      checkDataset({
        ...IRIS,
        schema: [
          { name: 'a', type: 'double' },
          { name: 'a', type: 'long' },
        ],
      }),
    ).toMatchObject({
      ok: false,
      problem: 'schema: column names must be unique',
    });
    expect(checkDataset({ ...IRIS, profile: { rows: Number.NaN } })).toMatchObject({ ok: false, problem: expect.stringMatching(/profile\.rows/) });
    expect(checkDataset(null)).toMatchObject({ ok: false });
  });
});

describe('logDataset on the tracker', () => {
  it('pushes one dataset record; bad data is a counted skip (warn) or a typed error (strict)', async () => {
    const memory = new InMemoryExporter();
    const lines: string[] = [];
    const t = createTracker({ exporters: [memory], handleExit: false, logger: createLogger({ sink: (_l, line) => lines.push(line) }) });
    t.logDataset({ ...IRIS, context: 'training' });
    t.logDataset({ name: 'broken' } as never);
    await t.close();
    const datasets = memory.records.filter((r): r is DatasetRecord => r.kind === 'dataset');
    expect(datasets).toHaveLength(1);
    expect(datasets[0]).toMatchObject({ name: 'iris', sourceType: 'http', context: 'training', tags: {} });
    expect(t.stats().skippedBy.invalidValue).toBe(1);
    expect(lines.join('\n')).toMatch(/Skipping dataset "broken": source:/);
    const strict = createTracker({ exporters: [new InMemoryExporter()], handleExit: false, validation: 'strict', logger: createLogger({ level: 'silent' }) });
    expect(() => strict.logDataset({ name: 'broken' } as never)).toThrow(InvalidMetricValueError);
    await strict.close();
  });

  it('is opt-in: a backend whose capabilities are named by exception counts datasets as unsupported', async () => {
    expect(kindsExcept('artifact').has('dataset')).toBe(false);
    const takes = new InMemoryExporter('mlflow-like', RECORD_KINDS);
    const lacks = new InMemoryExporter('wandb-like', [...kindsExcept('artifact')]);
    const t = createTracker({ exporters: [takes, lacks], handleExit: false, logger: createLogger({ level: 'silent' }) });
    t.logDataset(IRIS);
    await t.close();
    expect(takes.records.filter((r) => r.kind === 'dataset')).toHaveLength(1);
    expect(lacks.records.filter((r) => r.kind === 'dataset')).toHaveLength(0);
    expect(t.stats().exporters.find((e) => e.name === 'wandb-like')?.unsupported).toBe(1);
  });
});
