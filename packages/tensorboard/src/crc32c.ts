/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8 over one flat table, plus the
 * LevelDB/TFRecord mask. Not zlib's CRC-32.
 */
const TABLE = buildTable();

function buildTable(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/** CRC-32C of `bytes[start, end)`; pass a previous result as `crc` to continue a running checksum. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  return ~crcRegister(bytes, start, end, ~crc) >>> 0;
}

/**
 * Skipping a fixed run of `length` bytes, precomputed: the CRC register is affine in the bytes it reads, so
 * running it over n bytes T maps a register c to `shift_n(c) ^ crcRun(T)`, where shift_n (reading n zero
 * bytes) depends on n only. `skipAhead(length)` tabulates shift_n (4 × 256 entries, one per register byte);
 * `crcRun` is what T leaves in a zero register. Together they pass T in four lookups (the TensorBoard
 * writer's constant per-tag bytes); `crcRegister` reads the bytes around them, and the CRC is `~register >>> 0`.
 */
export function skipAhead(length: number): Int32Array {
  let table = SKIP_TABLES.get(length);
  if (table) return table;
  table = new Int32Array(4 * 256);
  for (let k = 0; k < 4; k++)
    for (let v = 0; v < 256; v++) {
      let c = v << (8 * k);
      for (let n = 0; n < length; n++) c = TABLE[c & 0xff]! ^ (c >>> 8);
      table[k * 256 + v] = c;
    }
  if (SKIP_TABLES.size < 4096) SKIP_TABLES.set(length, table);
  return table;
}
const SKIP_TABLES = new Map<number, Int32Array>();

/** The register after reading `bytes[start, end)` from register `c` (no pre/post inversion). */
export function crcRegister(bytes: Uint8Array, start: number, end: number, c: number): number {
  const t = TABLE;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    const lo = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
    i += 8;
  }
  // Slicing-by-4 for a 4-byte rest: short inputs (a scalar event's varying bytes, its float) are mostly rest.
  if (end - i >= 4) {
    const x = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c = t[768 + (x & 0xff)]! ^ t[512 + ((x >>> 8) & 0xff)]! ^ t[256 + ((x >>> 16) & 0xff)]! ^ t[x >>> 24]!;
    i += 4;
  }
  while (i < end) c = t[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/** What `bytes` leave in a zero register (see `skipAhead`). */
export function crcRun(bytes: Uint8Array): number {
  return crcRegister(bytes, 0, bytes.length, 0);
}

/** The register `c` moved past a run of bytes: `shift` from `skipAhead(run length)`, `run` from `crcRun`. */
export function crcSkip(c: number, shift: Int32Array, run: number): number {
  return shift[c & 0xff]! ^ shift[256 + ((c >>> 8) & 0xff)]! ^ shift[512 + ((c >>> 16) & 0xff)]! ^ shift[768 + (c >>> 24)]! ^ run;
}

/** TFRecord's masked CRC: rotate right by 15, add 0xa282ead8. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const x = (masked - 0xa282ead8) >>> 0;
  return ((x >>> 17) | (x << 15)) >>> 0;
}

export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return maskCrc(crc32c(bytes, start, end));
}
