import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync, mkdirSync } from 'node:fs';
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

/** Reads a whole spool file. A torn last line (crash mid-write) is ignored and reported. */
export function readSpool(path: string): { header: SpoolHeader; records: TrackingRecord[]; tornTail: boolean } {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const tornTail = lines.length > 0 && lines[lines.length - 1] !== '';
  if (!tornTail) lines.pop();
  else lines.pop();
  const header = decodeSpoolLine<SpoolHeader>(lines[0] ?? '{}');
  if (header.$spool !== 1) throw new Error(`${path} is not a @metrics spool file`);
  const records: TrackingRecord[] = [];
  for (let i = 1; i < lines.length; i++) if (lines[i]) records.push(decodeSpoolLine<TrackingRecord>(lines[i]!));
  return { header, records, tornTail };
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

  append(records: readonly TrackingRecord[]): void {
    if (records.length === 0) return;
    this.open();
    let text = '';
    for (const r of records) text += encodeSpoolLine(r) + '\n';
    const buf = Buffer.from(text, 'utf8');
    writeSync(this.fd!, buf, 0, buf.length, this.writeOffset);
    this.writeOffset += buf.length;
    this.pendingLines += records.length;
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

  /**
   * At close: delete the file when everything was read back; otherwise rewrite it with a fresh header
   * (the backend's run ids may be known by now) and only the unread records, for `replay`.
   */
  finish(runIds: Record<string, string>): { path: string; remaining: number } | undefined {
    if (this.fd === undefined) return undefined;
    const remaining = this.pendingLines;
    if (remaining === 0) {
      closeSync(this.fd);
      this.fd = undefined;
      rmSync(this.path, { force: true });
      return undefined;
    }
    const rest = Buffer.alloc(this.writeOffset - this.readOffset);
    readSync(this.fd, rest, 0, rest.length, this.readOffset);
    closeSync(this.fd);
    this.fd = undefined;
    this.header = { ...this.header, runIds };
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    const head = Buffer.from(encodeSpoolLine(this.header) + '\n');
    writeSync(fd, head);
    writeSync(fd, rest);
    closeSync(fd);
    renameSync(tmp, this.path);
    return { path: this.path, remaining };
  }

  private open(): void {
    if (this.fd !== undefined) return;
    mkdirSync(dirname(this.path), { recursive: true });
    if (existsSync(this.path)) rmSync(this.path);
    this.fd = openSync(this.path, 'w+');
    const head = Buffer.from(encodeSpoolLine(this.header) + '\n');
    writeSync(this.fd, head, 0, head.length, 0);
    this.readOffset = head.length;
    this.writeOffset = head.length;
  }
}
