import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32c, crcRegister, crcRun, crcSkip, maskCrc, maskedCrc32c, skipAhead, unmaskCrc } from './crc32c.js';

const ascii = (s: string) => new TextEncoder().encode(s);

/** Bit-at-a-time reference implementation, independent of the table code. */
function slowCrc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the spec test vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(maskedCrc32c(ascii('123456789'))).toBe(0xc78ab0e5);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(maskedCrc32c(new Uint8Array(0))).toBe(0xa282ead8);
  });

  it('agrees with a bit-at-a-time CRC on any bytes and any sub-range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(40), (bytes, cut) => {
        expect(crc32c(bytes)).toBe(slowCrc32c(bytes));
        const start = Math.min(cut, bytes.length);
        expect(crc32c(bytes, start)).toBe(slowCrc32c(bytes.subarray(start)));
      }),
    );
  });

  it('skips a constant run of bytes by table: prefix read, run skipped, suffix read = the CRC of all three', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 12 }), (prefix, run, suffix) => {
        const all = new Uint8Array([...prefix, ...run, ...suffix]);
        const afterPrefix = crcRegister(prefix, 0, prefix.length, -1);
        const afterRun = crcSkip(afterPrefix, skipAhead(run.length), crcRun(run));
        expect(~crcRegister(suffix, 0, suffix.length, afterRun) >>> 0).toBe(slowCrc32c(all));
      }),
    );
  });

  it('continues a running checksum', () => {
    const all = ascii('hello, tensorboard event files');
    expect(crc32c(all, 10, all.length, crc32c(all, 0, 10))).toBe(crc32c(all));
  });

  it('unmask inverts mask', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (c) => {
        expect(unmaskCrc(maskCrc(c))).toBe(c);
      }),
    );
  });
});
