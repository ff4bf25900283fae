import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrackingRecord } from './spec.js';
import { decodeSpoolRecords, readSpool, Spool, type SpoolHeader } from './spool.js';

const header: SpoolHeader = { $spool: 1, exporter: 'x', run: { experiment: 'e', runName: 'r', tags: {}, startTime: 0 }, runIds: {} };
const newSpool = () => new Spool(join(mkdtempSync(join(tmpdir(), 'spool-block-')), 's.jsonl'), header);

const scalar = fc.record({
  kind: fc.constant('scalar' as const),
  name: fc.oneof(fc.constantFrom('training/loss', 'training/acc', 'a"b\\c/é'), fc.string()),
  // every double, NaN/±Infinity and −0 included: they must come back bit for bit
  value: fc.double(),
  step: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  wallTime: fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.double()),
});
const text = fc.record({
  kind: fc.constant('text' as const),
  name: fc.constant('training/note'),
  text: fc.string(),
  step: fc.nat(),
  wallTime: fc.nat(),
});
const records = fc.array(fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: text }), { maxLength: 2500 });

describe('spool scalar blocks', () => {
  it('every record comes back as it went in, in order, through append and take of any sizes (property)', () => {
    fc.assert(
      fc.property(records, fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 8 }), (input, takes) => {
        const spool = newSpool();
        spool.append(input as TrackingRecord[]);
        expect(spool.pending).toBe(input.length);
        const out: TrackingRecord[] = [];
        for (let i = 0; spool.pending > 0; i++) {
          const max = takes[i % takes.length]!;
          const got = spool.take(max);
          expect(got.length).toBeLessThanOrEqual(max);
          expect(got.length).toBeGreaterThan(0);
          out.push(...got);
        }
        expect(out).toEqual(input);
      }),
      { numRuns: 60 },
    );
  });

  it('consecutive scalars share one JSON line; the rest of a block taken in part survives prepend and finish, in order', () => {
    const spool = newSpool();
    const scalars = (from: number, n: number): TrackingRecord[] =>
      Array.from({ length: n }, (_, i) => ({ kind: 'scalar', name: `training/m${i % 3}`, value: from + i, step: from + i, wallTime: 1e12 + i }));
    spool.append(scalars(0, 1500)); // two lines: 1000 + 500
    const lines = readFileSync(spool.path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(decodeSpoolRecords(lines[1]!)).toHaveLength(1000);
    expect(spool.take(300).map((r) => (r as { step: number }).step)).toEqual(scalars(0, 300).map((r) => (r as { step: number }).step));
    // Older records go in front of the rest of the partly taken block, which goes in front of the unread line.
    spool.prepend(scalars(-50, 50));
    expect(spool.pending).toBe(1250);
    const next = spool.take(100);
    expect(next.map((r) => (r as { step: number }).step)).toEqual([
      ...Array.from({ length: 50 }, (_, i) => i - 50),
      ...Array.from({ length: 50 }, (_, i) => 300 + i),
    ]);
    const left = spool.finish({ runId: 'r1' }, scalars(-60, 10));
    expect(left).toMatchObject({ remaining: 1160, unencodable: 0 });
    const read = readSpool(spool.path);
    expect(read.header.runIds).toEqual({ runId: 'r1' });
    expect(read.records.map((r) => (r as { step: number }).step)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => i - 60),
      ...Array.from({ length: 1150 }, (_, i) => 350 + i),
    ]);
  });

  it('a malformed block is an error, not a silent loss', () => {
    expect(() => decodeSpoolRecords('{"$scalars":1,"names":["a"],"data":"AAAA"}')).toThrow(/malformed scalar block/);
    expect(() => decodeSpoolRecords('{"$scalars":1,"names":[],"data":"' + Buffer.alloc(28).toString('base64') + '"}')).toThrow(/name index/);
  });
});
