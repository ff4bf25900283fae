/**
 * `logDataset` under hostile calls: warn policy never throws and counts every call (accepted or skipped);
 * strict policy accepts a call whole or throws a typed @metrics error. Every accepted record reaches a backend
 * that takes datasets (TensorBoard's `datasets` text, one value each), is counted unsupported by one that does
 * not, survives the spool format, and carries no credentials from its source URI.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger, createTracker, MetricsError } from '@metrics/core';
import { decodeSpoolLine, encodeSpoolLine, kindsExcept, type DatasetRecord } from '@metrics/core/backend';
import { InMemoryExporter } from '@metrics/core/test';
import { createTensorBoardExporter } from '@metrics/tensorboard';
import { anyValue } from './support/security-inputs.js';
import { removeTree, tempRoot, tensorBoardCounts } from './support/security-harness.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

/** Mostly valid (so calls get through to the backends), sometimes hostile. */
const mostly = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 15 }, { arbitrary: hostile, weight: 1 });
const text = mostly(
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.constantFrom('../../etc/passwd', '|a|b|\n', '<script>', 'https://u:secret@h.example/d.csv', 's3://b/k'),
  ),
  fc.oneof(fc.constantFrom('', 'x'.repeat(600)), anyValue),
);
const anyDataset: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.record(
      {
        name: text,
        source: text,
        digest: mostly(
          fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 36 }),
          fc.oneof(fc.constant('f'.repeat(37)), anyValue),
        ),
        sourceType: mostly(fc.constantFrom('http', 'local', 's3'), anyValue),
        schema: mostly(fc.uniqueArray(fc.record({ name: text, type: text }), { maxLength: 4, selector: (c) => c.name }), anyValue),
        profile: mostly(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string(), fc.boolean())),
          fc.oneof(fc.constant({ n: NaN }), anyValue),
        ),
        context: text,
        tags: mostly(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string(), { maxKeys: 3 }), fc.oneof(fc.constant({ '': 'x' }), anyValue)),
      },
      { requiredKeys: ['name', 'source'] },
    ),
    weight: 8,
  },
  { arbitrary: fc.constantFrom(null, undefined, 7, 'iris', [], { name: 'iris' }, { name: 'iris', source: 's', rows: [] }), weight: 1 },
);

describe('logDataset fuzz', () => {
  it('warn policy: 400 hostile calls never throw, are all counted, and land in the backends that take datasets', async () => {
    const dir = tempRoot('fuzz-dataset');
    roots.push(dir);
    const memory = new InMemoryExporter();
    const lacks = new InMemoryExporter('no-datasets', [...kindsExcept()]);
    const t = createTracker({
      exporters: [memory, lacks, createTensorBoardExporter({ logDir: dir })],
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
    });
    let calls = 0;
    fc.assert(
      fc.property(anyDataset, (dataset) => {
        const before = t.stats();
        t.logDataset(dataset as never);
        const after = t.stats();
        calls++;
        expect(after.accepted - before.accepted + after.skipped - before.skipped).toBe(1);
      }),
      { numRuns: 400, seed: 15 },
    );
    const accepted = t.stats().accepted;
    await t.close();
    const records = memory.records.filter((r): r is DatasetRecord => r.kind === 'dataset');
    expect(records).toHaveLength(accepted);
    expect(accepted).toBeGreaterThan(20);
    expect(accepted).toBeLessThan(calls);
    for (const r of records) {
      expect(r.source).not.toMatch(/:\/\/[^/]*@/);
      expect(r.digest.length).toBeLessThanOrEqual(36);
      expect(decodeSpoolLine(encodeSpoolLine(r))).toEqual(r);
    }
    expect(t.stats().exporters.find((e) => e.name === 'no-datasets')).toMatchObject({ unsupported: accepted, failed: 0 });
    const tb = tensorBoardCounts(dir);
    expect(tb.errors).toBe(0);
    expect(tb.text ?? 0).toBe(accepted);
  });

  it('strict policy: a call is accepted whole or throws a typed error', async () => {
    const memory = new InMemoryExporter();
    const t = createTracker({ exporters: [memory], handleExit: false, validation: 'strict', logger: createLogger({ level: 'silent' }) });
    fc.assert(
      fc.property(anyDataset, (dataset) => {
        const before = t.stats().accepted;
        try {
          t.logDataset(dataset as never);
          expect(t.stats().accepted).toBe(before + 1);
        } catch (error) {
          expect(MetricsError.isInstance(error), String(error)).toBe(true);
          expect(t.stats().accepted).toBe(before);
        }
      }),
      { numRuns: 300, seed: 16 },
    );
    await t.close();
  });
});
