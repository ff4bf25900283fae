/** Byte helpers for the reader fuzzers. */

/** Applies bit flips to a copy; `first` is the lowest position that really changed (-1 if they cancel out). */
export function flipBits(source: Uint8Array, flips: readonly [number, number][]): { bytes: Uint8Array; first: number } {
  const bytes = source.slice();
  for (const [at, bit] of flips) bytes[at % bytes.length]! ^= 1 << bit;
  const touched = [...new Set(flips.map(([at]) => at % bytes.length))].filter((i) => bytes[i] !== source[i]);
  return { bytes, first: touched.length ? Math.min(...touched) : -1 };
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
