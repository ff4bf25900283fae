/**
 * The one CRC-32 (IEEE 802.3, the zlib/PNG/gzip checksum) of the packages: PNG chunks and W&B log chunks.
 * node:zlib's native `crc32` when the runtime has it (Node 20.15+, 22.2+), else a table in JS; both give the
 * same value (tested). TensorBoard's CRC-32C is another polynomial and lives with its record framing.
 */
import * as zlib from 'node:zlib';

type NativeCrc32 = (data: Uint8Array, value?: number) => number;

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** The table form, always available (and what runs where node:zlib has no `crc32`). */
export function crc32Table(bytes: Uint8Array, seed = 0): number {
  let c = ~seed;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** node:zlib's `crc32`, looked up at run time: a named import would fail to link on Node < 20.15. */
const native = (zlib as { crc32?: NativeCrc32 }).crc32;

/** Below this many bytes the table is as fast as a native call (whose argument checks cost about as much). */
const NATIVE_FROM = 64;

/**
 * CRC-32 of `bytes`. `seed` is the CRC of the bytes before them (0 for none): `crc32(b, crc32(a))` is the CRC
 * of `a` followed by `b`, as with zlib's `crc32(data, value)`.
 */
export function crc32(bytes: Uint8Array, seed = 0): number {
  if (native === undefined || bytes.length < NATIVE_FROM) return crc32Table(bytes, seed);
  return native(bytes, seed >>> 0) >>> 0;
}

/** Whether `crc32` uses node:zlib's native code here. */
export const crc32IsNative = native !== undefined;
