import { closeSync, fsyncSync, mkdirSync, openSync, write, writeSync } from 'node:fs';
import { open, mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c, crcRegister, crcRun, crcSkip, maskCrc, skipAhead } from '../crc32c.js';
import { encodeFileVersionEvent, encodeSessionStartEvent, SCALARS_METADATA, valueTensorScalar } from '../proto/messages.js';
import { encodeUtf8, putVarint, varintSize } from '@metrics/core/protobuf';
import { eventFileName, secsAfterExisting } from './paths.js';

export interface EventFileWriterOptions {
  /** Appended to the file name, e.g. `.v2`. */
  filenameSuffix?: string;
  /** Flush at least this often while data is pending, ms. Default 30 000. */
  flushIntervalMs?: number;
  /** Flush once this many bytes are pending. Default 1 MiB. */
  flushBytes?: number;
  /** fsync the file on close. Default false. */
  fsyncOnClose?: boolean;
  /** Scalars as legacy `simple_value` ('simple', default) or rank-0 DT_FLOAT tensors with scalars metadata ('tensor'). */
  scalarFormat?: 'simple' | 'tensor';
  /** Written into the first event's `source_metadata.writer`. */
  writerName?: string;
  /** Called once per distinct I/O failure (the writer keeps the bytes and retries on the next flush). */
  onError?: (error: Error) => void;
}

interface TagState {
  /** Event bytes from the summary field through the float's field tag; the 4 float bytes follow. */
  tail: Uint8Array;
  /** The CRC passes `tail` in four lookups (see `skipAhead`): its skip table and what it leaves in a zero register. */
  tailShift: Int32Array;
  tailRun: number;
  lastStep: number;
}

function tagState(tail: Uint8Array, lastStep: number): TagState {
  return { tail, tailShift: skipAhead(tail.length), tailRun: crcRun(tail), lastStep };
}

/** Masked CRCs of the 8-byte length header, memoised by length (scalar streams have a handful of lengths). */
const SMALL_LENGTH_CRC = new Float64Array(4096).fill(-1);
const LENGTH_CRC_CACHE = new Map<number, number>();
function maskedLengthCrc(header: Buffer, at: number, len: number): number {
  if (len < 4096) {
    const hit = SMALL_LENGTH_CRC[len]!;
    if (hit >= 0) return hit;
    return (SMALL_LENGTH_CRC[len] = maskCrc(crc32c(header, at, at + 8)));
  }
  let c = LENGTH_CRC_CACHE.get(len);
  if (c === undefined) {
    c = maskCrc(crc32c(header, at, at + 8));
    if (LENGTH_CRC_CACHE.size < 65536) LENGTH_CRC_CACHE.set(len, c);
  }
  return c;
}

/** Open writers, flushed synchronously if the process exits before they are closed. */
const OPEN_WRITERS = new Set<EventFileWriter>();
let exitHooked = false;
function trackOpen(w: EventFileWriter): void {
  OPEN_WRITERS.add(w);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const writer of OPEN_WRITERS) writer.flushSync();
  });
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const F32 = new Float32Array(1);
const F32_BYTES = new Uint8Array(F32.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Chunks whose write has finished, kept per writer for the next ones (a fresh large buffer costs page faults).
 * One: memory stays near one write in flight plus the chunk being filled.
 */
const SPARE_CHUNKS = 1;
const FIRST_CHUNK = 1 << 16;

/**
 * One event file in one run directory: records are encoded straight into in-memory chunks (a full chunk is
 * set aside for the next write, not copied into a larger one) and written at each flush. Never appends to
 * an existing file (exclusive create; the name's counter is bumped on a collision).
 */
export class EventFileWriter {
  readonly dir: string;
  private path_: string | undefined;
  private fh: FileHandle | undefined;
  private fd: number | undefined;
  /** The chunk being encoded into, and how much of it is used. */
  private buf: Buffer = Buffer.allocUnsafe(FIRST_CHUNK);
  private pos = 0;
  /** Full chunks not written yet, oldest first (`buf` follows them), and their bytes. */
  private filled: Buffer[] = [];
  private filledBytes = 0;
  /** Chunks written already, reused by `nextChunk`. */
  private readonly spare: Buffer[] = [];
  /** Size of the next new chunk: doubles from 64 KiB up to `maxChunk`, so a small run stays small. */
  private chunkSize = FIRST_CHUNK;
  private readonly maxChunk: number;
  private readonly tags = new Map<string, TagState>();
  private readonly seenMetadata = new Set<string>();
  private writing: Promise<void> = Promise.resolve();
  /**
   * File bytes handed out to writes so far. Every write goes to its own position, so a synchronous write
   * (`flushSync`, from an inline export while the caller never yields) and a background write still in
   * flight never reorder the file.
   */
  private fileOffset = 0;
  /** Bytes a failed write left out, with their position: written again (at the same place) by the next flush. */
  private unwritten: { bytes: Buffer; at: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly opts: Required<Omit<EventFileWriterOptions, 'onError' | 'writerName'>> & Pick<EventFileWriterOptions, 'onError' | 'writerName'>;
  /** Points written at a step ≤ the tag's previous step (TensorBoard's data server keeps only the newest). */
  nonIncreasingSteps = 0;
  bytesWritten = 0;

  constructor(dir: string, options: EventFileWriterOptions = {}) {
    this.dir = dir;
    this.opts = {
      filenameSuffix: options.filenameSuffix ?? '',
      flushIntervalMs: options.flushIntervalMs ?? 30_000,
      flushBytes: options.flushBytes ?? 1 << 20,
      fsyncOnClose: options.fsyncOnClose ?? false,
      scalarFormat: options.scalarFormat ?? 'simple',
      writerName: options.writerName ?? '@metrics/tensorboard',
      onError: options.onError,
    };
    this.maxChunk = Math.max(FIRST_CHUNK, Math.min(this.opts.flushBytes, 1 << 24));
  }

  /** The file's path once opened. */
  get path(): string | undefined {
    return this.path_;
  }

  /**
   * Creates the directory and a new file (exclusive), and writes the file_version event. With `restartAt`
   * (a resumed run), the file sorts after the directory's other event files and starts with a restart
   * marker at that step, so TensorBoard's Python loaders hide what earlier files hold at or above it.
   */
  async open(now = Date.now(), restartAt?: number): Promise<string> {
    if (this.fh) return this.path_!;
    await mkdir(this.dir, { recursive: true });
    const secs = now / 1000;
    const nameSecs = restartAt === undefined ? secs : secsAfterExisting(this.dir, secs);
    for (let counter = 0; ; counter++) {
      const path = join(this.dir, eventFileName(nameSecs, counter, this.opts.filenameSuffix));
      try {
        this.fh = await open(path, 'wx');
        this.fd = this.fh.fd;
        this.path_ = path;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || counter > 10_000) throw e;
      }
    }
    this.putFirstEvents(secs, restartAt);
    this.startTimer();
    trackOpen(this);
    await this.flush();
    return this.path_!;
  }

  /** The first events (see `appendFirstEvents`) go before anything buffered already. */
  private putFirstEvents(secs: number, restartAt: number | undefined): void {
    const saved = this.takePending();
    this.appendFirstEvents(secs, restartAt);
    for (const part of saved) {
      this.ensure(part.length);
      this.buf.set(part, this.pos);
      this.pos += part.length;
    }
  }

  /** The file_version event, then (resumed run) the restart marker. */
  private appendFirstEvents(secs: number, restartAt: number | undefined): void {
    this.appendEvent(encodeFileVersionEvent(secs, this.opts.writerName));
    if (restartAt === undefined) return;
    // Twice: the EventAccumulator purges on every START, but the plugin accumulator behind `tensorboard
    // --load_fast=false` takes a run's first START for the session's beginning and purges only on later ones.
    const marker = encodeSessionStartEvent(secs, restartAt);
    this.appendEvent(marker);
    this.appendEvent(marker);
  }

  private startTimer(): void {
    if (this.opts.flushIntervalMs > 0 && Number.isFinite(this.opts.flushIntervalMs)) {
      this.timer = setInterval(() => void this.flush(), this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Synchronous variant of {@link open} for code that cannot await (creates the directory and file now). */
  openSync(now = Date.now(), restartAt?: number): string {
    if (this.fd !== undefined) return this.path_!;
    mkdirSync(this.dir, { recursive: true });
    const secs = now / 1000;
    const nameSecs = restartAt === undefined ? secs : secsAfterExisting(this.dir, secs);
    for (let counter = 0; ; counter++) {
      const path = join(this.dir, eventFileName(nameSecs, counter, this.opts.filenameSuffix));
      try {
        this.fd = openSync(path, 'wx');
        this.path_ = path;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || counter > 10_000) throw e;
      }
    }
    this.putFirstEvents(secs, restartAt);
    this.startTimer();
    trackOpen(this);
    this.flushSync();
    return this.path_!;
  }

  get pendingBytes(): number {
    return this.filledBytes + this.pos;
  }

  /** A copy of the framed bytes not yet written (for tests and in-memory use). */
  pendingCopy(): Uint8Array {
    return new Uint8Array(Buffer.concat([...this.filled, this.buf.subarray(0, this.pos)]));
  }

  /** Room for `extra` more bytes: a full chunk is set aside for the next write (no copy) and a new one begun. */
  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    if (this.pos > 0) {
      this.filled.push(this.buf.subarray(0, this.pos));
      this.filledBytes += this.pos;
    }
    this.buf = this.nextChunk(extra);
    this.pos = 0;
  }

  private nextChunk(atLeast: number): Buffer {
    const spare = this.spare.pop();
    if (spare !== undefined && spare.length >= atLeast) return spare;
    const size = this.chunkSize;
    this.chunkSize = Math.min(size * 2, this.maxChunk);
    return Buffer.allocUnsafe(Math.max(size, atLeast));
  }

  /** Everything not written yet, in order, as chunks; the writer goes on in a new chunk. */
  private takePending(): Buffer[] {
    const parts = this.filled;
    if (this.pos > 0) {
      parts.push(this.buf.subarray(0, this.pos));
      this.buf = this.nextChunk(0);
      this.pos = 0;
    }
    this.filled = [];
    this.filledBytes = 0;
    return parts;
  }

  /** A chunk whose bytes are written (or copied aside after a failure) may be encoded into again. */
  private recycle(part: Buffer): void {
    if (this.spare.length < SPARE_CHUNKS && part.byteOffset === 0 && part.buffer.byteLength === this.maxChunk) this.spare.push(Buffer.from(part.buffer));
  }

  /** Frames one serialized Event as a TFRecord into the buffer. */
  appendEvent(data: Uint8Array): void {
    const len = data.length;
    this.ensure(len + 16);
    const b = this.buf;
    const at = this.pos;
    b.writeUInt32LE(len, at);
    b.writeUInt32LE(0, at + 4);
    b.writeUInt32LE(maskedLengthCrc(b, at, len), at + 8);
    b.set(data, at + 12);
    b.writeUInt32LE(maskCrc(crc32c(b, at + 12, at + 12 + len)), at + 12 + len);
    this.pos = at + 16 + len;
    this.maybeFlush();
  }

  /** True when `step` is not above the tag's previous scalar step. */
  isNonIncreasing(tag: string, step: number): boolean {
    const st = this.tags.get(tag);
    return st !== undefined && st.lastStep >= step;
  }

  /**
   * The hot path: one scalar event, encoded directly into the buffer from cached per-tag bytes.
   * `wallSecs` must be finite (callers substitute now for NaN). With `dropNonIncreasing`, a step not above
   * the tag's previous one is not written. Returns false when the step did not increase.
   */
  appendScalar(tag: string, step: number, wallSecs: number, value: number, dropNonIncreasing = false): boolean {
    let st = this.tags.get(tag);
    if (st === undefined) {
      if (this.opts.scalarFormat === 'tensor' && !this.seenMetadata.has(tag)) {
        // First value of a v2 scalar tag in this file carries the metadata; later ones use the cached tail.
        this.seenMetadata.add(tag);
        this.appendSummary(wallSecs, step, [valueTensorScalar(tag, value, SCALARS_METADATA)]);
        this.tags.set(tag, tagState(scalarTail(tag, 'tensor'), step));
        return true;
      }
      st = tagState(scalarTail(tag, this.opts.scalarFormat), -1);
      this.tags.set(tag, st);
    }
    let increasing = true;
    if (step <= st.lastStep) {
      increasing = false;
      this.nonIncreasingSteps++;
      if (dropNonIncreasing) return false;
    }
    st.lastStep = step;
    const tail = st.tail;
    const tailLength = tail.length;
    const stepBytes = step === 0 ? 0 : 1 + (step < 128 ? 1 : varintSize(step));
    // proto3: a wall time of +0 is omitted (as protobufjs and TensorFlow write it)
    const wallBytes = Object.is(wallSecs, 0) ? 0 : 9;
    const len = wallBytes + stepBytes + tailLength + 4;
    if (this.pos + len + 16 > this.buf.length) this.ensure(len + 16);
    const b = this.buf;
    const at = this.pos;
    // u64le length (< 2^32 here), then its masked CRC.
    b[at] = len & 0xff;
    b[at + 1] = (len >>> 8) & 0xff;
    b[at + 2] = (len >>> 16) & 0xff;
    b[at + 3] = len >>> 24;
    b[at + 4] = 0;
    b[at + 5] = 0;
    b[at + 6] = 0;
    b[at + 7] = 0;
    const lc = maskedLengthCrc(b, at, len);
    b[at + 8] = lc & 0xff;
    b[at + 9] = (lc >>> 8) & 0xff;
    b[at + 10] = (lc >>> 16) & 0xff;
    b[at + 11] = lc >>> 24;
    let p = at + 12;
    if (wallBytes === 0) {
      // no wall_time field
    } else if (LITTLE_ENDIAN) {
      b[p] = 0x09;
      F64[0] = wallSecs;
      b[p + 1] = F64_BYTES[0]!;
      b[p + 2] = F64_BYTES[1]!;
      b[p + 3] = F64_BYTES[2]!;
      b[p + 4] = F64_BYTES[3]!;
      b[p + 5] = F64_BYTES[4]!;
      b[p + 6] = F64_BYTES[5]!;
      b[p + 7] = F64_BYTES[6]!;
      b[p + 8] = F64_BYTES[7]!;
    } else {
      b[p] = 0x09;
      b.writeDoubleLE(wallSecs, p + 1);
    }
    p += wallBytes;
    if (step !== 0) {
      b[p++] = 0x10;
      let v = step;
      if (v < 0x80000000) {
        while (v > 127) {
          b[p++] = (v & 127) | 128;
          v >>>= 7;
        }
      } else {
        while (v > 127) {
          b[p++] = (v % 128) | 128;
          v = Math.floor(v / 128);
        }
      }
      b[p++] = v;
    }
    // The data CRC: the varying prefix is read, the tag's constant bytes skipped by table, then the float.
    const crcPrefix = crcRegister(b, at + 12, p, -1);
    // A short loop: TypedArray.set costs more than it copies for a few dozen bytes.
    for (let i = 0; i < tailLength; i++) b[p + i] = tail[i]!;
    p += tailLength;
    if (LITTLE_ENDIAN) {
      F32[0] = value;
      b[p] = F32_BYTES[0]!;
      b[p + 1] = F32_BYTES[1]!;
      b[p + 2] = F32_BYTES[2]!;
      b[p + 3] = F32_BYTES[3]!;
    } else b.writeFloatLE(value, p);
    p += 4;
    const dc = maskCrc(~crcRegister(b, p - 4, p, crcSkip(crcPrefix, st.tailShift, st.tailRun)) >>> 0);
    b[p] = dc & 0xff;
    b[p + 1] = (dc >>> 8) & 0xff;
    b[p + 2] = (dc >>> 16) & 0xff;
    b[p + 3] = dc >>> 24;
    this.pos = p + 4;
    if (this.pos + this.filledBytes >= this.opts.flushBytes) this.maybeFlush();
    return increasing;
  }

  /** An Event with one summary holding the given encoded Summary.Values. */
  appendSummary(wallSecs: number, step: number, values: readonly Uint8Array[]): void {
    let inner = 0;
    for (const v of values) inner += 1 + varintSize(v.length) + v.length;
    const stepBytes = step === 0 ? 0 : 1 + varintSize(step);
    const wallBytes = Object.is(wallSecs, 0) ? 0 : 9;
    const len = wallBytes + stepBytes + 1 + varintSize(inner) + inner;
    const data = Buffer.allocUnsafe(len);
    let p = 0;
    if (wallBytes) {
      data[p++] = 0x09;
      data.writeDoubleLE(wallSecs, p);
      p += 8;
    }
    if (step !== 0) p = putVarint(data, putVarint(data, p, 0x10), step);
    data[p++] = 0x2a;
    p = putVarint(data, p, inner);
    for (const v of values) {
      data[p++] = 0x0a;
      p = putVarint(data, p, v.length);
      data.set(v, p);
      p += v.length;
    }
    this.appendEvent(data);
  }

  /** Marks a tag's metadata as written in this file; returns true the first time. */
  firstUse(tag: string): boolean {
    if (this.seenMetadata.has(tag)) return false;
    this.seenMetadata.add(tag);
    return true;
  }

  private flushQueued = false;

  private maybeFlush(): void {
    if (this.pendingBytes >= this.opts.flushBytes && !this.flushQueued) {
      this.flushQueued = true;
      void this.flush();
    }
  }

  /** Writes everything buffered with one write (after any write in flight). Never rejects. */
  flush(): Promise<void> {
    this.writesInFlight++;
    this.writing = this.writing.then(() => this.writeOut()).finally(() => this.writesInFlight--);
    return this.writing;
  }

  /** Flushes queued and not finished yet. */
  writesInFlight = 0;

  private async writeOut(): Promise<void> {
    this.flushQueued = false;
    if (this.fd === undefined) return;
    for (const u of this.unwritten.splice(0)) await this.writeAt(u.bytes, u.at);
    if (this.pendingBytes === 0) return;
    let at = this.fileOffset;
    this.fileOffset += this.pendingBytes;
    for (const part of this.takePending()) {
      await this.writeAt(part, at);
      at += part.length;
      this.recycle(part);
    }
  }

  /** Writes `bytes` at file position `at` in the background; what fails is kept for the next flush. */
  private async writeAt(bytes: Buffer, at: number): Promise<void> {
    const fd = this.fd!;
    let off = 0;
    try {
      while (off < bytes.length) {
        off += await new Promise<number>((resolve, reject) =>
          write(fd, bytes, off, bytes.length - off, at + off, (error, n) => (error ? reject(error) : resolve(n))),
        );
      }
      this.bytesWritten += bytes.length;
    } catch (e) {
      this.keepUnwritten(bytes, off, at, e as Error);
    }
  }

  private keepUnwritten(bytes: Buffer, off: number, at: number, error: Error): void {
    this.bytesWritten += off;
    this.unwritten.push({ bytes: Buffer.from(bytes.subarray(off)), at: at + off });
    this.opts.onError?.(error);
  }

  /** Writes `bytes` at `at` now; false (bytes kept for the next flush) on an I/O error. */
  private writeAtSync(bytes: Buffer, at: number): boolean {
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd!, bytes, off, bytes.length - off, at + off);
      this.bytesWritten += bytes.length;
      return true;
    } catch (e) {
      this.keepUnwritten(bytes, off, at, e as Error);
      return false;
    }
  }

  /**
   * Writes everything buffered before returning (process exit, or an inline export from a loop that never
   * yields). Safe while a background write is in flight: each write has its own file position.
   */
  flushSync(): void {
    if (this.fd === undefined) return;
    for (const u of this.unwritten.splice(0)) this.writeAtSync(u.bytes, u.at); // a failure keeps it again
    if (this.pendingBytes === 0) return;
    let at = this.fileOffset;
    this.fileOffset += this.pendingBytes;
    for (const part of this.takePending()) {
      this.writeAtSync(part, at);
      at += part.length;
      this.recycle(part);
    }
  }

  /** Flushes, optionally fsyncs, closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    OPEN_WRITERS.delete(this);
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    try {
      if (this.fh) {
        if (this.opts.fsyncOnClose) await this.fh.sync();
        await this.fh.close();
      } else if (this.fd !== undefined) {
        if (this.opts.fsyncOnClose) fsyncSync(this.fd);
        closeSync(this.fd);
      }
    } catch (e) {
      this.opts.onError?.(e as Error);
    }
    this.fh = undefined;
    this.fd = undefined;
  }
}

/** Event bytes `2a len(summary) 0a len(value) 0a len(tag) tag <value field>`; the 4 float bytes follow. */
function scalarTail(tag: string, format: 'simple' | 'tensor'): Uint8Array {
  const t = encodeUtf8(tag);
  // simple: 15 <f32>; tensor: 42 08 {08 01 2a 04 <f32>}
  const valueField = format === 'simple' ? [0x15] : [0x42, 0x08, 0x08, 0x01, 0x2a, 0x04];
  // proto3: an empty tag is omitted
  const tagBytes = t.length === 0 ? 0 : 1 + varintSize(t.length) + t.length;
  const valueLen = tagBytes + valueField.length + 4;
  const summaryLen = 1 + varintSize(valueLen) + valueLen;
  const out = Buffer.allocUnsafe(1 + varintSize(summaryLen) + summaryLen - 4);
  let p = 0;
  out[p++] = 0x2a;
  p = putVarint(out, p, summaryLen);
  out[p++] = 0x0a;
  p = putVarint(out, p, valueLen);
  if (tagBytes) {
    out[p++] = 0x0a;
    p = putVarint(out, p, t.length);
    out.set(t, p);
    p += t.length;
  }
  for (const x of valueField) out[p++] = x;
  return new Uint8Array(out.subarray(0, p));
}
