import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32IsNative, crc32Table } from './crc32.js';

const ascii = (s: string) => new TextEncoder().encode(s);
const concat = (a: Uint8Array, b: Uint8Array) => Uint8Array.from([...a, ...b]);

describe('crc32', () => {
  it('gives the CRC-32 check value on both paths', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32Table(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('uses node:zlib when it has crc32 (Node 20.15+), else the table', () => {
    expect(crc32IsNative).toBe(typeof (zlib as { crc32?: unknown }).crc32 === 'function');
  });

  it('the native and table paths agree, plain and seeded, on either side of the native threshold', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, seed) => {
        expect(crc32(bytes)).toBe(crc32Table(bytes));
        expect(crc32(bytes, seed)).toBe(crc32Table(bytes, seed));
        const native = (zlib as { crc32?: (b: Uint8Array, v?: number) => number }).crc32;
        if (native) expect(crc32Table(bytes, seed)).toBe(native(bytes, seed) >>> 0);
      }),
    );
  });

  it('a seed continues a CRC: crc32(b, crc32(a)) is the CRC of a then b (the W&B chunk form: type byte, then payload)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        expect(crc32(b, crc32(a))).toBe(crc32(concat(a, b)));
        expect(crc32Table(b, crc32Table(a))).toBe(crc32Table(concat(a, b)));
      }),
    );
    const payload = ascii('x'.repeat(200));
    for (const type of [1, 2, 3, 4]) expect(crc32(payload, crc32(Uint8Array.of(type)))).toBe(crc32Table(concat(Uint8Array.of(type), payload)));
  });
});
