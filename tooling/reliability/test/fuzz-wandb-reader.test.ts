/**
 * The W&B `.wandb` reader fed damaged bytes: a multi-block file written by our offline tracker (with
 * records split into FIRST/MIDDLE/LAST chunks), truncated at every k-th byte, bit-flipped at random, with
 * records replaced by garbage that carries valid chunk checksums (so the protobuf decoder is fuzzed),
 * random bytes behind a valid header, pure random buffers, and damaged files met by an offline resume.
 * It never throws, its output is bounded by the input (no loop), and the damage is reported at the chunk
 * or record holding it. (The package's own test runs 100 random buffers and 300 mangled copies.)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger } from '@metrics/core';
import { BLOCK_SIZE, createWandbTracker, FILE_HEADER, readLogBytes, readWandbFile, RecordFramer } from '@metrics/wandb';
import { removeTree, tempRoot, walkFiles, wandbCounts } from './support/security-harness.js';
import { flipBits } from './support/security-bytes.js';

const HEADER = 7;
let root: string;
let original: Uint8Array;
let chunks: Chunk[];
let records: { start: number; end: number; chunks: Chunk[] }[];
let payloads: Uint8Array[];

interface Chunk {
  start: number;
  end: number;
  type: number;
}

/** The chunk layout of a sound file, walked independently of the reader under test. */
function layout(bytes: Uint8Array): Chunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Chunk[] = [];
  let pos = FILE_HEADER.length;
  while (pos < bytes.length) {
    const left = BLOCK_SIZE - (pos % BLOCK_SIZE);
    if (left < HEADER) {
      pos += left;
      continue;
    }
    const len = view.getUint16(pos + 4, true);
    out.push({ start: pos, end: pos + HEADER + len, type: bytes[pos + 6]! });
    pos += HEADER + len;
  }
  return out;
}

beforeAll(async () => {
  root = tempRoot('wandb-reader');
  const dir = join(root, 'run');
  const t = createWandbTracker({
    mode: 'offline',
    dir,
    runId: 'fuzzsrc1',
    env: {},
    experiment: 'p',
    runName: 'r',
    handleExit: false,
    logger: createLogger({ level: 'silent' }),
  });
  t.logConfig({ lr: 0.01, model: { layers: [64, 32] } });
  for (let step = 0; step < 300; step++) t.log({ 'training/loss': 1 / (step + 1), 'training/accuracy': step / 300, 'system/cpu': step % 100 }, { step });
  // Records bigger than a block: split into FIRST, MIDDLE…, LAST chunks.
  t.logText('model/notes', 'x'.repeat(70_000), { step: 300 });
  t.logText('model/more', '✓'.repeat(20_000), { step: 301 });
  t.logHistogram(
    'model/weights',
    Array.from({ length: 5000 }, (_, i) => Math.sin(i)),
    { step: 301 },
  );
  await t.close();
  const file = walkFiles(dir).find((f) => f.endsWith('.wandb'))!;
  original = new Uint8Array(readFileSync(file));
  chunks = layout(original);
  records = [];
  let open: Chunk[] = [];
  for (const c of chunks) {
    if (c.type === 1) records.push({ start: c.start, end: c.end, chunks: [c] });
    else if (c.type === 2) open = [c];
    else {
      open.push(c);
      if (c.type === 4) records.push({ start: open[0]!.start, end: c.end, chunks: open });
    }
  }
  payloads = readLogBytes(original).records.map((r) => r.payload);
});
afterAll(() => removeTree(root));

function bounded(bytes: Uint8Array, r: ReturnType<typeof readLogBytes>): void {
  const most = Math.ceil(bytes.length / HEADER) + 2;
  expect(r.records.length).toBeLessThanOrEqual(most);
  expect(r.damage.length).toBeLessThanOrEqual(most);
  for (const d of r.damage) {
    expect(d.offset).toBeGreaterThanOrEqual(0);
    expect(d.offset).toBeLessThanOrEqual(bytes.length);
  }
}

describe('W&B .wandb reader on damaged files', () => {
  it('the source file is sound, spans several blocks and has multi-chunk records', () => {
    const r = readWandbFile(original);
    expect(r.damage).toEqual([]);
    expect(r.headerOk).toBe(true);
    expect(r.records.length).toBe(records.length);
    expect(original.length).toBeGreaterThan(3 * BLOCK_SIZE);
    expect(records.filter((x) => x.chunks.length > 2).length).toBeGreaterThan(0);
  });

  it('truncated at every k-th byte: complete records survive, a cut record is reported at its start', () => {
    const k = Math.max(1, Math.floor(original.length / 3000));
    let cuts = 0;
    let inside = 0;
    for (let cut = 0; cut <= original.length; cut += k) {
      cuts++;
      const bytes = original.subarray(0, cut);
      const r = readLogBytes(bytes);
      bounded(bytes, r);
      if (cut < FILE_HEADER.length) {
        expect(r.headerOk).toBe(false);
        expect(r.damage).toEqual([expect.objectContaining({ offset: 0 })]);
        continue;
      }
      const complete = records.filter((x) => x.end <= cut).length;
      expect(r.records.length, `cut at ${cut}`).toBe(complete);
      const cutRecord = records.find((x) => x.start < cut && cut < x.end);
      if (cutRecord) {
        inside++;
        expect(r.truncated, `cut at ${cut}`).toBe(true);
        expect(Math.min(...r.damage.map((d) => d.offset)), `cut at ${cut} inside record ${cutRecord.start}…${cutRecord.end}`).toBe(cutRecord.start);
        for (const d of r.damage) expect(d.offset).toBeLessThanOrEqual(cut);
      } else {
        expect({ truncated: r.truncated, damage: r.damage }, `clean cut at ${cut}`).toEqual({ truncated: false, damage: [] });
      }
    }
    console.log(`reliability: W&B reader truncation — ${cuts} cut points (every ${k} bytes of ${original.length}), ${inside} inside a record — held`);
  });

  it('random bit flips: records before the damage survive, the damaged chunk is reported at its offset', () => {
    let runs = 0;
    let inPadding = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }), (flips) => {
        runs++;
        const { bytes, first } = flipBits(original, flips);
        if (first < 0) return;
        const r = readLogBytes(bytes);
        bounded(bytes, r);
        readWandbFile(bytes); // the protobuf layer on top must not throw either
        if (first < FILE_HEADER.length) {
          expect(r.headerOk).toBe(false);
          expect(r.damage[0]!.offset).toBe(first);
          return;
        }
        const chunk = chunks.find((c) => first >= c.start && first < c.end);
        if (!chunk) {
          inPadding++; // block trailer padding carries no data
          return;
        }
        const index = records.findIndex((x) => x.chunks.includes(chunk));
        const rec = records[index]!;
        expect(
          r.damage.map((d) => d.offset),
          `flip at ${first} in chunk ${chunk.start}`,
        ).toContain(chunk.start);
        expect(Math.min(...r.damage.map((d) => d.offset))).toBeGreaterThanOrEqual(rec.start);
        for (let i = 0; i < index; i++) expect(Buffer.from(r.records[i]!.payload).equals(payloads[i]!), `record ${i} before the damage`).toBe(true);
      }),
      { numRuns: 2000, seed: 0xb17f },
    );
    console.log(`reliability: W&B reader bit flips — ${runs} mutated copies of a ${records.length}-record file (${inPadding} hit only block padding) — held`);
  });

  it('a record replaced by garbage with valid chunk checksums is reported as undecodable at its offset', () => {
    let runs = 0;
    let undecodable = 0;
    fc.assert(
      fc.property(fc.nat(payloads.length - 1), fc.uint8Array({ maxLength: 40_000 }), (which, junk) => {
        runs++;
        const framer = new RecordFramer();
        payloads.forEach((p, i) => framer.append(i === which ? junk : p));
        const bytes = new Uint8Array(framer.take());
        const log = readLogBytes(bytes);
        expect(log.damage).toEqual([]);
        const r = readWandbFile(bytes);
        const bad = r.damage.filter((d) => d.reason.includes('protobuf'));
        for (const d of bad) expect(d.offset).toBe(log.records[which]!.offset);
        expect(r.records.length + bad.length).toBe(payloads.length);
        undecodable += bad.length;
      }),
      { numRuns: 1000, seed: 0x9a4b },
    );
    console.log(`reliability: W&B protobuf decoder on valid-checksum garbage — ${runs} records, ${undecodable} reported undecodable, rest decoded — held`);
  });

  it('random bytes behind a valid header, and pure random buffers: no throw, bounded output', () => {
    let runs = 0;
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 3 * BLOCK_SIZE }), (withHeader, junk) => {
        runs++;
        const bytes = withHeader ? new Uint8Array([...FILE_HEADER, ...junk]) : junk;
        const r = readLogBytes(bytes);
        bounded(bytes, r);
        const decoded = readWandbFile(bytes);
        expect(decoded.records.length).toBeLessThanOrEqual(r.records.length);
      }),
      { numRuns: 1000, seed: 0x7a7a },
    );
    console.log(`reliability: W&B reader random input — ${runs} buffers up to ${3 * BLOCK_SIZE} bytes (half behind a valid header) — held`);
  });

  it('an offline resume over damaged earlier runs of the same id starts and logs normally', async () => {
    const dir = join(root, 'resume');
    const samples = fc.sample(fc.tuple(fc.nat(original.length), fc.array(fc.nat(original.length - 1), { maxLength: 6 })), { numRuns: 40, seed: 11 });
    samples.forEach(([cut, flips], i) => {
      const b = original.slice(0, cut);
      for (const at of flips) if (at < b.length) b[at]! ^= 0x10;
      const runDir = join(dir, 'wandb', `offline-run-20200101_0000${String(i).padStart(2, '0')}-fuzzsrc1`);
      mkdirSync(runDir, { recursive: true });
      writeFileSync(join(runDir, 'run-fuzzsrc1.wandb'), b);
    });
    const t = createWandbTracker({
      mode: 'offline',
      dir,
      runId: 'fuzzsrc1',
      resumePolicy: 'allow',
      env: {},
      experiment: 'p',
      runName: 'r',
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
    });
    for (let step = 0; step < 10; step++) t.log({ 'training/loss': step }, { step });
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ exported: 10, failed: 0 });
    expect(wandbCounts(dir).files).toBe(samples.length + 1);
    console.log(`reliability: W&B offline resume over ${samples.length} damaged earlier files — started and logged 10 points — held`);
  });
});
