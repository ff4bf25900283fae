import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtoWriter } from '../proto/writer.js';
import { encodeHeader } from '../proto/records.js';
import { RecordFramer } from './framer.js';
import { readLogBytes } from './read-log.js';
import { BLOCK_SIZE, chunkChecksum } from './format.js';

function frame(sizes: number[]): Buffer {
  const f = new RecordFramer();
  for (const [i, n] of sizes.entries()) f.append(new Uint8Array(n).fill((i % 250) + 1));
  return Buffer.from(f.take());
}

/** Chunk (type, payload length) sequence of a framed file, walking the blocks like a reader. */
function chunks(bytes: Buffer): [number, number][] {
  const out: [number, number][] = [];
  let pos = 7;
  while (pos < bytes.length) {
    const left = BLOCK_SIZE - (pos % BLOCK_SIZE);
    if (left < 7) {
      expect([...bytes.subarray(pos, pos + left)].every((b) => b === 0)).toBe(true);
      pos += left;
      continue;
    }
    const len = bytes.readUInt16LE(pos + 4);
    out.push([bytes[pos + 6]!, len]);
    pos += 7 + len;
  }
  return out;
}

describe('.wandb framing (spec §1.4 test vectors)', () => {
  it('writes the minimal file byte for byte', () => {
    const w = new ProtoWriter();
    encodeHeader(w, 1);
    expect(w.view().toString('hex')).toBe('0801aa0100');
    const f = new RecordFramer();
    f.append(w.view());
    expect(Buffer.from(f.take()).toString('hex')).toBe('3a572642e1be00' + '55b7a63f' + '0500' + '01' + '0801aa0100');
  });

  it('uses the type-seeded IEEE CRC-32', () => {
    expect(chunkChecksum(1, Buffer.from('0801aa0100', 'hex'))).toBe(0x3fa6b755);
    expect(chunkChecksum(1, new Uint8Array(0))).toBe(0xa505df1b);
    expect(chunkChecksum(2, new Uint8Array(0))).toBe(0x3c0c8ea1);
    expect(chunkChecksum(3, new Uint8Array(0))).toBe(0x4b0bbe37);
    expect(chunkChecksum(4, new Uint8Array(0))).toBe(0xd56f2b94);
  });

  const cases: [number[], [number, number][], number][] = [
    [[32_754], [[1, 32_754]], 32_768],
    [
      [32_755],
      [
        [2, 32_754],
        [4, 1],
      ],
      32_776,
    ],
    [
      [32_748, 1],
      [
        [1, 32_748],
        [1, 1],
      ],
      32_776,
    ],
    [
      [32_747, 1],
      [
        [1, 32_747],
        [2, 0],
        [4, 1],
      ],
      32_776,
    ],
    [
      [32_746, 2],
      [
        [1, 32_746],
        [2, 1],
        [4, 1],
      ],
      32_776,
    ],
    [
      [32_746, 32_763],
      [
        [1, 32_746],
        [2, 1],
        [3, 32_761],
        [4, 1],
      ],
      65_544,
    ],
  ];
  for (const [sizes, expected, fileSize] of cases) {
    it(`records of ${sizes.join(' + ')} bytes → ${fileSize}-byte file`, () => {
      const bytes = frame(sizes);
      expect(bytes.length).toBe(fileSize);
      expect(chunks(bytes)).toEqual(expected);
      const read = readLogBytes(bytes);
      expect(read.damage).toEqual([]);
      expect(read.records.map((r) => r.payload.length)).toEqual(sizes);
    });
  }

  it('round-trips random record sizes up to 100 KB, framed across several drains', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (sizes, every) => {
        const f = new RecordFramer();
        const parts: Buffer[] = [];
        sizes.forEach((n, i) => {
          f.append(new Uint8Array(n).fill((i * 7) % 256));
          if (i % every === 0) parts.push(Buffer.from(f.take()));
        });
        parts.push(Buffer.from(f.take()));
        const read = readLogBytes(Buffer.concat(parts));
        expect(read.damage).toEqual([]);
        expect(read.records.map((r) => r.payload.length)).toEqual(sizes);
        read.records.forEach((r, i) => expect(r.payload.every((b) => b === (i * 7) % 256)).toBe(true));
      }),
      { numRuns: 60 },
    );
  });
});
