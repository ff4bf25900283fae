/**
 * The TensorBoard event-file reader fed damaged bytes: files written by our own tracker, truncated at every
 * k-th byte, bit-flipped at random, with records replaced by garbage that carries valid CRCs (so the proto
 * decoder itself is fuzzed), lying length fields, and pure random buffers. It never throws, never loops
 * (its output is bounded by the input size), and reports the damage at the offset of the record holding it.
 * (The package's own test runs 300 random buffers of ≤ 2 KB and 300 mangled copies of one small file.)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger } from '@metrics/core';
import { createTensorBoardTracker, formatSummary, iterateRecords, listRuns, maskedCrc32c, readEventBytes, summarizeLogDir } from '@metrics/tensorboard';
import { removeTree, tempRoot } from './support/security-harness.js';
import { concatBytes as concat, flipBits } from './support/security-bytes.js';

let root: string;
let original: Uint8Array;
/** [start, end) of every record of the original file. */
let records: { start: number; end: number }[];

beforeAll(async () => {
  root = tempRoot('tb-reader');
  const logDir = join(root, 'logs');
  const t = createTensorBoardTracker({ logDir, experiment: 'e', runName: 'r', handleExit: false, logger: createLogger({ level: 'silent' }) });
  t.logHyperparams({ lr: 0.01, optimizer: 'adam', deep: true }, { metrics: ['training/loss'] });
  t.logConfig({ model: { layers: [64, 32], act: 'relu' }, note: 'ü—✓' });
  for (let step = 0; step < 300; step++) t.log({ 'training/loss': 1 / (step + 1), 'training/accuracy': step / 300, 'validation/loss': Number.NaN }, { step });
  for (let step = 0; step < 10; step++) {
    t.logHistogram(
      'model/weights',
      Array.from({ length: 200 }, (_, i) => Math.sin(i * step)),
      { step },
    );
    t.logImage('evaluation/sample', { width: 8, height: 4, channels: 3, data: new Uint8Array(96).map((_, i) => (i * step) & 255) }, { step });
    t.logText('model/notes', `# step ${step}\n\n| a | b |\n|---|---|\n| ${step} | ✓ |`, { step });
  }
  t.setSummary({ 'training/loss': 0.01, 'evaluation/verdict': 'ok' });
  await t.close();
  const [file] = [...listRuns(logDir).values()].flat();
  original = new Uint8Array(readFileSync(file!));
  records = [...iterateRecords(original, [])].map((r) => ({ start: r.offset, end: r.offset + 16 + r.data.length }));
});
afterAll(() => removeTree(root));

function recordAt(pos: number): { index: number; start: number; end: number } {
  const index = records.findIndex((r) => pos >= r.start && pos < r.end);
  return { index, ...records[index]! };
}

/** Output is bounded by the input: a reader that loops or invents data would break this. */
function bounded(bytes: Uint8Array, r: ReturnType<typeof readEventBytes>): void {
  expect(r.events.length).toBeLessThanOrEqual(Math.ceil(bytes.length / 16));
  expect(r.errors.length).toBeLessThanOrEqual(Math.ceil(bytes.length / 16) + 1);
  for (const e of r.errors) {
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
  }
}

describe('TensorBoard reader on damaged files', () => {
  it('the source file is sound: every record decodes', () => {
    const r = readEventBytes(original);
    expect(r.errors).toEqual([]);
    expect(r.events.length).toBe(records.length);
    expect(records.length).toBeGreaterThan(600);
  });

  it('truncated at every k-th byte: the records before the cut survive, the cut record is reported at its start', () => {
    const k = Math.max(1, Math.floor(original.length / 3000));
    let cuts = 0;
    for (let cut = 0; cut <= original.length; cut += k) {
      cuts++;
      const bytes = original.subarray(0, cut);
      const r = readEventBytes(bytes);
      bounded(bytes, r);
      const complete = records.filter((x) => x.end <= cut).length;
      expect(r.events.length, `cut at ${cut}`).toBe(complete);
      if (complete === records.length || records[complete]!.start === cut) {
        expect(r.errors, `clean cut at ${cut}`).toEqual([]);
      } else {
        expect(r.truncatedAt, `cut at ${cut}`).toBe(records[complete]!.start);
        expect(r.errors).toEqual([expect.objectContaining({ problem: 'truncated', offset: records[complete]!.start })]);
      }
    }
    console.log(`reliability: TensorBoard reader truncation — ${cuts} cut points (every ${k} bytes of ${original.length}) — held`);
  });

  it('random bit flips: records before the first flip survive, the damage is reported at the record holding it', () => {
    let runs = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }), (flips) => {
        runs++;
        const { bytes, first } = flipBits(original, flips);
        if (first < 0) return; // the flips cancelled out
        const r = readEventBytes(bytes);
        bounded(bytes, r);
        const hit = recordAt(first);
        expect(r.errors.length, `flip at ${first}`).toBeGreaterThan(0);
        expect(r.errors[0]!.offset, `first error for a flip at ${first} (record ${hit.start}…${hit.end})`).toBe(hit.start);
        expect(r.events.length).toBeGreaterThanOrEqual(hit.index);
      }),
      { numRuns: 3000, seed: 0xf11b },
    );
    console.log(`reliability: TensorBoard reader bit flips — ${runs} mutated copies of a ${records.length}-record file — held`);
  });

  it('records replaced by garbage with valid CRCs: the proto decoder reports them, never throws', () => {
    let runs = 0;
    let undecodable = 0;
    fc.assert(
      fc.property(fc.nat(records.length - 1), fc.uint8Array({ maxLength: 400 }), (which, junk) => {
        runs++;
        const { start, end } = records[which]!;
        const rec = frameRecord(junk);
        const bytes = concat(original.subarray(0, start), rec, original.subarray(end));
        const r = readEventBytes(bytes);
        bounded(bytes, r);
        const proto = r.errors.filter((e) => e.problem === 'proto');
        expect(r.errors.filter((e) => e.problem !== 'proto')).toEqual([]);
        for (const e of proto) expect(e.offset).toBe(start);
        expect(r.events.length + proto.length).toBe(records.length);
        undecodable += proto.length;
      }),
      { numRuns: 2000, seed: 0xdec0 },
    );
    console.log(`reliability: TensorBoard proto decoder on valid-CRC garbage — ${runs} records, ${undecodable} reported undecodable, rest decoded — held`);
  });

  it('lying length fields with a valid length CRC never make the reader allocate or loop', () => {
    const lengths = [2 ** 30 - 1, 2 ** 30 + 1, 2 ** 31, 2 ** 32 - 1, 2 ** 40, 2 ** 53 - 1];
    for (const len of lengths) {
      const header = new Uint8Array(12);
      const view = new DataView(header.buffer);
      view.setUint32(0, len % 2 ** 32, true);
      view.setUint32(4, Math.floor(len / 2 ** 32), true);
      view.setUint32(8, maskedCrc32c(header, 0, 8), true);
      const bytes = concat(original.subarray(0, records[5]!.start), header, new Uint8Array(64));
      const r = readEventBytes(bytes);
      expect(r.events.length).toBe(5);
      expect(r.errors).toEqual([expect.objectContaining({ offset: records[5]!.start, problem: expect.stringMatching(/too-large|truncated/) })]);
    }
    console.log(`reliability: TensorBoard reader lying lengths — ${lengths.length} lengths up to 2^53 — held`);
  });

  it('pure random buffers (up to 64 KiB) and a directory of mangled files: no throw, every error has a file and an offset', () => {
    let runs = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 65_536 }), (junk) => {
        runs++;
        bounded(junk, readEventBytes(junk));
      }),
      { numRuns: 500, seed: 0x4a4d },
    );
    const dir = join(root, 'mangled', 'run');
    mkdirSync(dir, { recursive: true });
    const gen = fc.sample(fc.tuple(fc.nat(original.length), fc.array(fc.nat(original.length - 1), { maxLength: 4 })), { numRuns: 60, seed: 3 });
    gen.forEach(([cut, flips], i) => {
      const b = original.slice(0, cut);
      for (const at of flips) if (at < b.length) b[at]! ^= 0x40;
      writeFileSync(join(dir, `events.out.tfevents.${1_700_000_000 + i}.host.1.${i}`), b);
    });
    const summary = summarizeLogDir(join(root, 'mangled'));
    expect(summary).toHaveLength(1);
    for (const e of summary[0]!.errors) {
      expect(e.file).toContain('tfevents');
      expect(e.offset).toBeGreaterThanOrEqual(0);
    }
    expect(formatSummary(summary)).toContain('run run');
    console.log(
      `reliability: TensorBoard reader random input — ${runs} random buffers, ${gen.length} mangled files summarised with ` +
        `${summary[0]!.errors.length} located errors — held`,
    );
  });
});

/** A TFRecord around `data` with correct masked CRC-32C checksums. */
function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, true);
  view.setUint32(4, 0, true);
  view.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(out, 12, 12 + data.length), true);
  return out;
}
