import type { ScalarPoint, TrackingRecord } from './spec.js';

/**
 * A run of scalar records as one spool line: `{"$scalars":1,"names":[…],"data":"<base64>"}`, where `data`
 * holds n little-endian float64 values, then n steps, then n wall times, then n uint32 indexes into `names`.
 * Spilling is on the caller's path when a loop never yields, and JSON text costs about a microsecond per
 * scalar (number → decimal text); this costs a small fraction of that, keeps NaN/±Infinity exactly, and reads
 * back far faster too. The line is still JSON, so a spool stays JSONL.
 */
export interface ScalarBlockLine {
  $scalars: 1;
  names: string[];
  data: string;
}

/** Per-scalar bytes in `data`: value, step and wall time (float64) and a name index (uint32). */
const BYTES_PER_SCALAR = 8 * 3 + 4;

/** A scalar record the block can carry: its five fields, with the declared types. */
export function isBlockScalar(r: TrackingRecord): r is ScalarPoint {
  return r.kind === 'scalar' && typeof r.name === 'string' && typeof r.value === 'number' && typeof r.step === 'number' && typeof r.wallTime === 'number';
}

/** `records[from, to)` (all `isBlockScalar`) as one spool line, without the newline. */
export function encodeScalarBlock(records: readonly TrackingRecord[], from: number, to: number): string {
  const n = to - from;
  const bytes = Buffer.allocUnsafe(n * BYTES_PER_SCALAR);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names: string[] = [];
  const index = new Map<string, number>();
  let lastName = '';
  let lastIndex = -1;
  const steps = 8 * n;
  const walls = 16 * n;
  const ids = 24 * n;
  for (let i = 0; i < n; i++) {
    const r = records[from + i] as ScalarPoint;
    const name = r.name;
    let id = lastIndex;
    if (name !== lastName || id < 0) {
      id = index.get(name) ?? -1;
      if (id < 0) {
        id = names.length;
        names.push(name);
        index.set(name, id);
      }
      lastName = name;
      lastIndex = id;
    }
    view.setFloat64(8 * i, r.value, true);
    view.setFloat64(steps + 8 * i, r.step, true);
    view.setFloat64(walls + 8 * i, r.wallTime, true);
    view.setUint32(ids + 4 * i, id, true);
  }
  return `{"$scalars":1,"names":${JSON.stringify(names)},"data":"${bytes.toString('base64')}"}`;
}

/** A block line (a record always has a `kind`, a block never does). */
export function isScalarBlock(value: unknown): value is ScalarBlockLine {
  return typeof value === 'object' && value !== null && (value as { $scalars?: unknown }).$scalars === 1 && !('kind' in value);
}

/** The scalar records of a block line (parsed), appended to `out`. Throws on a malformed block. */
export function decodeScalarBlock(block: ScalarBlockLine, out: TrackingRecord[]): void {
  const { names, data } = block;
  if (!Array.isArray(names) || typeof data !== 'string') throw new Error('malformed scalar block in spool');
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length % BYTES_PER_SCALAR !== 0) throw new Error('malformed scalar block in spool (length)');
  const n = bytes.length / BYTES_PER_SCALAR;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) {
    const name = names[view.getUint32(24 * n + 4 * i, true)];
    if (typeof name !== 'string') throw new Error('malformed scalar block in spool (name index)');
    out.push({
      kind: 'scalar',
      name,
      value: view.getFloat64(8 * i, true),
      step: view.getFloat64(8 * n + 8 * i, true),
      wallTime: view.getFloat64(16 * n + 8 * i, true),
    });
  }
}
