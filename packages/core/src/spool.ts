import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunInfo, TrackingRecord } from './spec.js';
import { decodeScalarBlock, encodeScalarBlock, isBlockScalar, isScalarBlock } from './spool-scalar-block.js';

/**
 * A spool is an append-only JSON-lines file of records that could not be delivered yet: the queue
 * overflowed (full-queue policy `spill`) or the backend stayed down past the retry deadline.
 * Line 1 is a header with the run and the backend's run ids so `replay` can resume the same run.
 * JSON has no NaN, ±Infinity or bytes: those are written as `{"$num":"NaN"}` and `{"$b64":"…"}`.
 * Consecutive scalar records share one line, a packed block (see `spool-scalar-block.ts`); any other record
 * is one line of its own. `decodeSpoolRecords` reads a line back as its records.
 */
export interface SpoolHeader {
  $spool: 1;
  exporter: string;
  run: RunInfo;
  runIds: Record<string, string>;
}

export function encodeSpoolLine(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    if (v instanceof Uint8Array || v instanceof Uint8ClampedArray) return { $b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    return v;
  });
}

export function decodeSpoolLine<T = unknown>(line: string): T {
  // The reviver is what makes parsing slow; only a line with a `"$…"` key can need it.
  if (!line.includes('"$')) return JSON.parse(line) as T;
  return JSON.parse(line, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if (typeof v.$num === 'string' && Object.keys(v).length === 1) return Number(v.$num);
      if (typeof v.$b64 === 'string' && Object.keys(v).length === 1) return new Uint8Array(Buffer.from(v.$b64, 'base64'));
    }
    return v;
  }) as T;
}

/** The records of one spool line (a scalar block holds many), appended to `out`. */
export function decodeSpoolRecords(line: string, out: TrackingRecord[] = []): TrackingRecord[] {
  const value = decodeSpoolLine<unknown>(line);
  if (isScalarBlock(value)) decodeScalarBlock(value, out);
  else out.push(value as TrackingRecord);
  return out;
}

/**
 * Reads a spool file in batches without holding it in memory (spools can hold millions of records).
 * The header comes first; a torn last line (a crash mid-write) is not returned, and `tornTail()` says so.
 */
export function openSpool(path: string): { header: SpoolHeader; batches(size: number): Generator<TrackingRecord[]>; tornTail(): boolean } {
  const lines = readLines(path);
  const first = lines.next();
  const header = first.done ? undefined : decodeSpoolLine<SpoolHeader>(first.value);
  if (header?.$spool !== 1) throw new Error(`${path} is not a @metrics spool file`);
  let torn = false;
  return {
    header,
    *batches(size: number) {
      let batch: TrackingRecord[] = [];
      for (;;) {
        const next = lines.next();
        if (next.done) {
          torn = next.value;
          break;
        }
        if (next.value === '') continue;
        decodeSpoolRecords(next.value, batch);
        while (batch.length >= size) {
          yield batch.slice(0, size);
          batch = batch.slice(size);
        }
      }
      if (batch.length) yield batch;
    },
    tornTail: () => torn,
  };
}

/** Reads a whole spool file (small spools, tests). A torn last line is ignored and reported. */
export function readSpool(path: string): { header: SpoolHeader; records: TrackingRecord[]; tornTail: boolean } {
  const spool = openSpool(path);
  const records: TrackingRecord[] = [];
  for (const batch of spool.batches(10_000)) for (const r of batch) records.push(r);
  return { header: spool.header, records, tornTail: spool.tornTail() };
}

/** Complete lines of a file, read in 64 KiB chunks. Returns true at the end when a partial last line was left. */
function* readLines(path: string): Generator<string, boolean> {
  const fd = openSync(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(1 << 16);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n <= 0) break;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      let nl: number;
      while ((nl = buf.indexOf(10, start)) >= 0) {
        yield buf.toString('utf8', start, nl);
        start = nl + 1;
      }
      carry = Buffer.from(buf.subarray(start));
    }
    return carry.length > 0;
  } finally {
    closeSync(fd);
  }
}

/** Records per write (and at most per scalar block): bounds the text built at once. */
const CHUNK = 1000;

/**
 * Writes records as spool lines, a bounded chunk at a time (no giant strings): each run of scalars as one
 * block line, any other record as a line of its own. A record JSON cannot encode is left out (and counted)
 * instead of costing its neighbours.
 */
function writeRecords(fd: number, records: readonly TrackingRecord[], position: number | null): { bytes: number; unencodable: number } {
  let bytes = 0;
  let unencodable = 0;
  for (let i = 0; i < records.length; i += CHUNK) {
    let text = '';
    const end = Math.min(records.length, i + CHUNK);
    for (let j = i; j < end; ) {
      if (isBlockScalar(records[j]!)) {
        let k = j + 1;
        while (k < end && isBlockScalar(records[k]!)) k++;
        text += encodeScalarBlock(records, j, k) + '\n';
        j = k;
        continue;
      }
      try {
        text += encodeSpoolLine(records[j]) + '\n';
      } catch {
        unencodable++;
      }
      j++;
    }
    const buf = Buffer.from(text, 'utf8');
    writeSync(fd, buf, 0, buf.length, position === null ? null : position + bytes);
    bytes += buf.length;
  }
  return { bytes, unencodable };
}

/** One exporter's spool inside a running pipeline: append at the end, read from a cursor. */
export class Spool {
  private fd: number | undefined;
  private readOffset = 0;
  private writeOffset = 0;
  /** Records not taken yet: `carry` plus those on disk past `readOffset`. */
  private pendingRecords = 0;
  /** Records of a line already read (a scalar block) that `take` has not handed out yet, oldest first. */
  private carry: TrackingRecord[] = [];

  constructor(
    readonly path: string,
    private header: SpoolHeader,
  ) {}

  get pending(): number {
    return this.pendingRecords;
  }

  /** Appends records; returns how many could not be encoded (left out). */
  append(records: readonly TrackingRecord[]): number {
    if (records.length === 0) return 0;
    this.open();
    const { bytes, unencodable } = writeRecords(this.fd!, records, this.writeOffset);
    this.writeOffset += bytes;
    this.pendingRecords += records.length - unencodable;
    return unencodable;
  }

  /** Takes up to `max` records from the read cursor. Works on bytes: '\n' never occurs inside a UTF-8 sequence. */
  take(max: number): TrackingRecord[] {
    if (this.fd === undefined || this.pendingRecords === 0 || max <= 0) return [];
    let out: TrackingRecord[] = this.carry;
    this.carry = [];
    let carry = Buffer.alloc(0);
    let pos = this.readOffset;
    while (out.length < max && pos < this.writeOffset) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 16, this.writeOffset - pos));
      const n = readSync(this.fd, chunk, 0, chunk.length, pos);
      if (n <= 0) break;
      pos += n;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      let nl: number;
      while (out.length < max && (nl = buf.indexOf(10, start)) >= 0) {
        decodeSpoolRecords(buf.toString('utf8', start, nl), out);
        start = nl + 1;
      }
      this.readOffset += start;
      carry = Buffer.from(buf.subarray(start));
    }
    if (out.length > max) {
      // The rest of a block: handed out by the next take (or written back by prepend/finish).
      this.carry = out.slice(max);
      out = out.slice(0, max);
    }
    this.pendingRecords -= out.length;
    return out;
  }

  /** Puts `older` records in front of everything pending (they were logged first), keeping the file open. */
  prepend(older: readonly TrackingRecord[]): number {
    if (older.length === 0) return 0;
    if (this.fd === undefined || this.pendingRecords === 0) return this.append(older);
    const unencodable = this.rewrite(older);
    this.fd = openSync(this.path, 'r+');
    this.readOffset = Buffer.byteLength(encodeSpoolLine(this.header) + '\n');
    this.writeOffset = fstatSync(this.fd).size;
    this.pendingRecords += older.length - unencodable;
    return unencodable;
  }

  /**
   * At close: delete the file when everything was read back; otherwise rewrite it with a fresh header
   * (the backend's run ids may be known by now), then `older` (records still in memory, older than anything
   * on disk), then the unread records, for `replay`.
   */
  finish(runIds: Record<string, string>, older: readonly TrackingRecord[] = []): { path: string; remaining: number; unencodable: number } | undefined {
    const remaining = this.pendingRecords + older.length;
    if (remaining === 0) {
      if (this.fd !== undefined) {
        closeSync(this.fd);
        this.fd = undefined;
        rmSync(this.path, { force: true });
      }
      return undefined;
    }
    this.header = { ...this.header, runIds };
    const unencodable = this.rewrite(older);
    this.pendingRecords = 0;
    return { path: this.path, remaining: remaining - unencodable, unencodable };
  }

  /**
   * Writes header + `older` + the carried rest of a block + the unread bytes (streamed across in chunks) to a
   * new file that replaces this one. Closes the fd.
   */
  private rewrite(older: readonly TrackingRecord[]): number {
    let unencodable = 0;
    const front = this.carry.length > 0 ? [...older, ...this.carry] : older;
    this.carry = [];
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const out = openSync(tmp, 'w');
    try {
      writeSync(out, Buffer.from(encodeSpoolLine(this.header) + '\n'));
      unencodable = writeRecords(out, front, null).unencodable;
      if (this.fd !== undefined) {
        const chunk = Buffer.allocUnsafe(1 << 20);
        for (let pos = this.readOffset; pos < this.writeOffset; ) {
          const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, this.writeOffset - pos), pos);
          if (n <= 0) break;
          writeSync(out, chunk, 0, n);
          pos += n;
        }
      }
    } finally {
      closeSync(out);
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
    }
    renameSync(tmp, this.path);
    return unencodable;
  }

  private open(): void {
    if (this.fd !== undefined) return;
    mkdirSync(dirname(this.path), { recursive: true });
    // Exclusive: a spool is never overwritten (names are unique per run attempt, see spool-files.ts).
    this.fd = openSync(this.path, 'wx+');
    const head = Buffer.from(encodeSpoolLine(this.header) + '\n');
    writeSync(this.fd, head, 0, head.length, 0);
    this.readOffset = head.length;
    this.writeOffset = head.length;
  }
}
