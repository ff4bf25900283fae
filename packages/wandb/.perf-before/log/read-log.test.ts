import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RecordFramer } from './framer.js';
import { readLogBytes } from './read-log.js';
import { readWandbFile } from './records.js';

function file(sizes: number[]): Buffer {
  const f = new RecordFramer();
  for (const n of sizes) f.append(new Uint8Array(n).fill(9));
  return Buffer.from(f.take());
}

describe('readLogBytes on damaged input', () => {
  it('reports a bad header and reads nothing', () => {
    const bytes = file([10]);
    bytes[4] = 0;
    const r = readLogBytes(bytes);
    expect(r.headerOk).toBe(false);
    expect(r.records).toEqual([]);
    expect(r.damage[0]!.offset).toBe(4);
  });

  it('keeps every complete record of a file cut in the middle of the last one', () => {
    const whole = file([100, 200, 40_000]);
    const cut = whole.subarray(0, whole.length - 60);
    const r = readLogBytes(cut);
    expect(r.records.map((x) => x.payload.length)).toEqual([100, 200]);
    expect(r.truncated).toBe(true);
    expect(r.damage.some((d) => d.reason.includes('incomplete'))).toBe(true);
  });

  it('reports a checksum mismatch with its offset and recovers at the next block', () => {
    const bytes = file([100, 100, 40_000, 50]);
    bytes[7 + 7 + 100 + 7 + 3] ^= 0xff; // inside the 2nd record's payload
    const r = readLogBytes(bytes);
    expect(r.damage[0]).toEqual({ offset: 7 + 107, reason: 'chunk checksum mismatch' });
    // Block 0 is abandoned (2nd record and the start of the 3rd); the LAST chunk in block 1 has no FIRST.
    expect(r.records.map((x) => x.payload.length)).toEqual([100, 50]);
  });

  it('never throws or hangs on random bytes, truncations or bit flips', () => {
    const base = file([5, 300, 33_000, 7]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (junk) => {
        const r = readWandbFile(junk);
        expect(Array.isArray(r.records)).toBe(true);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: base.length }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 8 }), (cut, flips) => {
        const b = Buffer.from(base.subarray(0, cut));
        for (const [at, x] of flips) if (b.length) b[at % b.length] ^= x;
        const r = readWandbFile(b);
        expect(r.records.length).toBeLessThanOrEqual(4);
      }),
      { numRuns: 300 },
    );
  });
});
