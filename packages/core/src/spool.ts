import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunInfo, TrackingRecord } from './spec.js';

/**
 * A spool is an append-only JSON-lines file of records that could not be delivered yet: the queue
 * overflowed (full-queue policy `spill`) or the backend stayed down past the retry deadline.
 * Line 1 is a header with the run and the backend's run ids so `replay` can resume the same run.
 * JSON has no NaN, ±Infinity or bytes: those are written as `{"$num":"NaN"}` and `{"$b64":"…"}`.
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
  return JSON.parse(line, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if (typeof v.$num === 'string' && Object.keys(v).length === 1) return Number(v.$num);
      if (typeof v.$b64 === 'string' && Object.keys(v).length === 1) return new Uint8Array(Buffer.from(v.$b64, 'base64'));
    }
    return v;
  }) as T;
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
        batch.push(decodeSpoolLine<TrackingRecord>(next.value));
        if (batch.length >= size) {
          yield batch;
          batch = [];
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

/**
 * Writes records as spool lines, a bounded chunk at a time (no giant strings). A record JSON cannot encode
 * is left out (and counted) instead of costing its neighbours.
 */
function writeRecords(fd: number, records: readonly TrackingRecord[], position: number | null): { bytes: number; unencodable: number } {
  let bytes = 0;
  let unencodable = 0;
  for (let i = 0; i < records.length; i += 1000) {
    let text = '';
    for (let j = i; j < Math.min(records.length, i + 1000); j++) {
      try {
        text += encodeSpoolLine(records[j]) + '\n';
      } catch {
        unencodable++;
      }
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
  private pendingLines = 0;

  constructor(
    readonly path: string,
    private header: SpoolHeader,
  ) {}

  get pending(): number {
    return this.pendingLines;
  }

  /** Appends records; returns how many could not be encoded (left out). */
  append(records: readonly TrackingRecord[]): number {
    if (records.length === 0) return 0;
    this.open();
    const { bytes, unencodable } = writeRecords(this.fd!, records, this.writeOffset);
    this.writeOffset += bytes;
    this.pendingLines += records.length - unencodable;
    return unencodable;
  }

  /** Takes up to `max` records from the read cursor. Works on bytes: '\n' never occurs inside a UTF-8 sequence. */
  take(max: number): TrackingRecord[] {
    if (this.fd === undefined || this.pendingLines === 0) return [];
    const out: TrackingRecord[] = [];
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
        out.push(decodeSpoolLine<TrackingRecord>(buf.toString('utf8', start, nl)));
        start = nl + 1;
      }
      this.readOffset += start;
      carry = Buffer.from(buf.subarray(start));
    }
    this.pendingLines -= out.length;
    return out;
  }

  /** Puts `older` records in front of everything pending (they were logged first), keeping the file open. */
  prepend(older: readonly TrackingRecord[]): number {
    if (older.length === 0) return 0;
    if (this.fd === undefined || this.pendingLines === 0) return this.append(older);
    const unencodable = this.rewrite(older);
    this.fd = openSync(this.path, 'r+');
    this.readOffset = Buffer.byteLength(encodeSpoolLine(this.header) + '\n');
    this.writeOffset = fstatSync(this.fd).size;
    this.pendingLines += older.length - unencodable;
    return unencodable;
  }

  /**
   * At close: delete the file when everything was read back; otherwise rewrite it with a fresh header
   * (the backend's run ids may be known by now), then `older` (records still in memory, older than anything
   * on disk), then the unread records, for `replay`.
   */
  finish(runIds: Record<string, string>, older: readonly TrackingRecord[] = []): { path: string; remaining: number; unencodable: number } | undefined {
    const remaining = this.pendingLines + older.length;
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
    this.pendingLines = 0;
    return { path: this.path, remaining: remaining - unencodable, unencodable };
  }

  /** Writes header + `older` + the unread bytes (streamed across in chunks) to a new file that replaces this one. Closes the fd. */
  private rewrite(older: readonly TrackingRecord[]): number {
    let unencodable = 0;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const out = openSync(tmp, 'w');
    try {
      writeSync(out, Buffer.from(encodeSpoolLine(this.header) + '\n'));
      unencodable = writeRecords(out, older, null).unencodable;
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
