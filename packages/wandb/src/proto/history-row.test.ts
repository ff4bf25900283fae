import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TrackingRecord } from '@metrics/core/backend';
import { JsonNumberBatch } from '../json.js';
import { RunState, rowItems } from '../run-state.js';
import { encodeHistory, encodeHistoryRow, keyField } from './records.js';
import { DecimalDigits, ProtoWriter } from './writer.js';

// The offline hot path (slots, one JSON.stringify per batch, whole items written in one go) must give
// the bytes of the plain path (one JsonItem and one String() per value) for every input.
const names = ['training/loss', 'a', 'é/ü', '_step', 'global_step', `long/${'k'.repeat(120)}`, 'system/cpu'];
const record = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('scalar' as const),
      name: fc.constantFrom(...names),
      value: fc.double(),
      step: fc.oneof(fc.nat(50), fc.constantFrom(-1, 2.5)),
      wallTime: fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.integer({ min: 0, max: 12_000 }), fc.double({ min: -10, max: 1e13, noNaN: true })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('text' as const), name: fc.constantFrom(...names), text: fc.string(), step: fc.nat(50), wallTime: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('summary' as const), wallTime: fc.nat(), values: fc.dictionary(fc.constantFrom(...names), fc.double()) }),
  },
);

function plain(row: Parameters<typeof rowItems>[0], num: number, stepMetric: string): Buffer {
  const w = new ProtoWriter(64);
  encodeHistory(w, num, row.step, rowItems(row, stepMetric));
  return w.finish();
}

describe('history rows on the fast path', () => {
  it('encodes byte for byte what the plain path encodes (random batches, all doubles, odd steps and times)', () => {
    let rows = 0;
    // a step column name long enough that its items need a two-byte length
    const stepMetrics = fc.constantFrom('global_step', `step/${'s'.repeat(130)}`);
    fc.assert(
      fc.property(
        fc.array(fc.array(record, { maxLength: 40 }), { maxLength: 6 }),
        fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.constant(0)),
        stepMetrics,
        (batches, start, stepMetric) => {
          const state = new RunState({ startTime: start, stepMetric, systemPrefix: 'system/' });
          const texts = new JsonNumberBatch();
          const w = new ProtoWriter(16);
          for (const batch of batches) {
            const effects = state.apply(batch as TrackingRecord[]);
            texts.load(effects.numbers);
            for (const [i, row] of effects.rows.entries()) {
              encodeHistoryRow(w.reset(), i + 1, row, keyField(stepMetric), texts);
              expect(w.finish()).toEqual(plain(row, i + 1, stepMetric));
              rows++;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    console.log(`wandb history fast path: ${rows} random rows byte-identical to the plain encoding — held`);
  });

  it('encodes rows of every length class and rows sharing their time as the plain path does', () => {
    // Bodies under 128 bytes, of 128 B–16 KiB (the usual row: its length is written in place) and over
    // 16 KiB (one-, two- and three-byte lengths); runs of rows in one millisecond, whose `_runtime` and
    // `_timestamp` items are reused, and a time that comes back after another one.
    const scalar = (name: string, value: number, step: number, wallTime: number): TrackingRecord => ({ kind: 'scalar', name, value, step, wallTime });
    const batch: TrackingRecord[] = [
      scalar('a', 1, 0, 5000),
      ...Array.from({ length: 10 }, (_, i) => scalar(`training/metric_${i}`, Math.sin(i) * 100, 1, 5000)),
      scalar('a', 2.5, 2, 5000),
      { kind: 'text', name: 'big', text: 'x'.repeat(20_000), step: 3, wallTime: 5001 },
      scalar('a', 3, 4, 5001),
      scalar('a', 4, 5, 7123),
      scalar('a', 5, 6, 5001),
      { kind: 'text', name: 'mid', text: 'y'.repeat(16_300), step: 7, wallTime: 5001 },
      { kind: 'text', name: 'mid', text: 'y'.repeat(16_400), step: 8, wallTime: 5001 },
    ];
    const state = new RunState({ startTime: 1000, stepMetric: 'global_step', systemPrefix: 'system/' });
    const effects = state.apply(batch);
    const texts = new JsonNumberBatch();
    texts.load(effects.numbers);
    const w = new ProtoWriter(16);
    expect(effects.rows).toHaveLength(9);
    for (const [i, row] of effects.rows.entries()) {
      encodeHistoryRow(w.reset(), i + 1, row, keyField('global_step'), texts);
      expect(w.finish()).toEqual(plain(row, i + 1, 'global_step'));
    }
  });

  it('reads each number back exactly as String(v) from one JSON.stringify', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 50 }), (values) => {
        const texts = new JsonNumberBatch();
        texts.load(values);
        const w = new ProtoWriter(16);
        for (const _ of values) texts.at = w.token(1, texts.bytes, texts.at);
        const expected = new ProtoWriter(16);
        for (const v of values) expected.string(1, String(v));
        expect(w.finish()).toEqual(expected.finish());
      }),
      { numRuns: 500 },
    );
  });
});

describe('DecimalDigits (a column’s last integer)', () => {
  it('gives String(n) for any sequence: repeats, +1 with carries, jumps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant('same'), fc.constant('next'), fc.nat({ max: Number.MAX_SAFE_INTEGER })), { maxLength: 200 }),
        fc.nat(100_000),
        (moves, start) => {
          const d = new DecimalDigits();
          let n = start;
          for (const m of ['jump', ...moves]) {
            if (m === 'next') n++;
            else if (typeof m === 'number') n = m;
            d.set(n);
            expect(Buffer.from(d.text.subarray(0, d.length)).toString('latin1')).toBe(String(n));
          }
        },
      ),
      { numRuns: 300 },
    );
    const d = new DecimalDigits();
    for (let n = 0; n <= 100_000; n++) d.set(n); // every carry up to 6 digits
    expect(Buffer.from(d.text.subarray(0, d.length)).toString('latin1')).toBe('100000');
  });
});
