import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { JsonNumberBatch } from '../json.js';
import { RecordFramer } from '../log/framer.js';
import { encodeHistoryRow, keyField, type HistoryRowView } from '../proto/records.js';
import { ProtoWriter } from '../proto/writer.js';

/**
 * The messages between an offline run (main thread) and the writer of its `.wandb` file (a worker
 * thread, or the same thread). Small records arrive encoded; history rows arrive as plain numbers and
 * key numbers, and are encoded by the writer: turning a batch's doubles into JSON text and encoding
 * the rows is most of the work of an offline run, and it runs beside the training loop this way.
 */
export interface RowsSegment {
  /** Record number of the first row; the others follow. */
  firstNum: number;
  /** Per row, ROW_FIELDS numbers: `_step`, canonical step, runtime ms, wall time ms, value count. */
  rows: Float64Array;
  /** Per value: its key's wire id (see `SinkMessage.keys`). */
  keyIds: Int32Array;
  /** The scalar values, in order (values whose `texts` entry is null). */
  numbers: Float64Array;
  /**
   * `JSON.stringify` of the numbers as ASCII bytes, when the sender made it. Converting doubles to text is
   * the largest single cost: the sender does it while the writer is behind, and leaves it to the writer
   * otherwise, so the two threads share the work.
   */
  numbersJson?: Uint8Array;
  /** Per value: JSON text, or null for the next of `numbers`. Absent when every value is a scalar. */
  texts?: (string | null)[];
  /**
   * The one buffer that holds `rows`, `numbers`, `keyIds` and `numbersJson`, owned by this segment: it moves
   * to the writer thread as a whole (one transfer per message costs about half of one per array).
   */
  buffer?: ArrayBuffer;
}

export const ROW_FIELDS = 5;

export type Segment = Uint8Array | RowsSegment;

/**
 * The buffers of a message's segments that can move to the writer thread instead of being copied: a rows
 * segment's `buffer` (which holds all its arrays), and encoded records that own their whole buffer. The
 * sender allocates them so and does not use them after sending.
 */
export function transferables(segments: readonly Segment[] | undefined): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const s of segments ?? []) {
    if (!(s instanceof Uint8Array)) {
      if (s.buffer) out.push(s.buffer);
    } else if (s.byteOffset === 0 && s.buffer instanceof ArrayBuffer && s.byteLength === s.buffer.byteLength) out.push(s.buffer);
  }
  return out;
}

export interface SinkMessage {
  seq: number;
  /** The run this message is for (one writer thread serves every run of the process). */
  run?: number;
  /** The first message of a run: opens its log. */
  open?: SinkOptions;
  /** Keys first used by this message, numbered on from the last one sent. */
  keys?: string[];
  /** Records in file order: encoded bytes, or rows to encode. */
  segments?: Segment[];
  /** Write everything to the file before replying. */
  flush?: boolean;
  /** Flush, fsync and close the file. */
  finish?: boolean;
  /** The sender waits for a reply to this message. */
  reply?: boolean;
}

export interface SinkReply {
  run?: number;
  seq: number;
  /** The message of a failed write, and its error code (`ENOSPC`, …). */
  error?: string;
  code?: string;
}

/** A failed write as a reply carries it (an Error does not cross threads with its `code`). */
export function errorReply(error: unknown): { error: string; code?: string } {
  const e = error as NodeJS.ErrnoException;
  return { error: e instanceof Error ? e.message : String(error), code: typeof e?.code === 'string' ? e.code : undefined };
}

export interface SinkOptions {
  /** The `.wandb` file, opened for appending. */
  file: string;
  /** Its size: the run's first records are already written. */
  fileOffset: number;
  stepMetric: string;
  /** fsync the file when the run finishes (wandb itself does not). */
  fsyncOnClose?: boolean;
}

/** Framed records go to the file once this much is pending, or FLUSH_DELAY_MS after the first. */
const FLUSH_BYTES = 256 * 1024;
const FLUSH_DELAY_MS = 200;

/** One wire key: the name and its encoded `key` field (made on first use). */
interface WireKey {
  readonly key: string;
  encoded: Uint8Array | undefined;
}

/**
 * Frames and writes a run's records (`handle`), in the order they arrive, whole: a crash leaves a file
 * readable up to its last complete record. Written at least every 200 ms (or 256 KiB).
 */
export class LogSink {
  private readonly framer: RecordFramer;
  private readonly proto = new ProtoWriter(4096);
  private readonly texts = new JsonNumberBatch();
  private readonly wireKeys: WireKey[] = [];
  private readonly stepKeyField: Uint8Array;
  private flushTimer: NodeJS.Timeout | undefined;
  /** A failed timed write, reported by the next message. */
  private timedError: unknown;
  private closed = false;
  private readonly fd: number;
  private readonly fsyncOnClose: boolean;

  constructor(options: SinkOptions) {
    this.fsyncOnClose = options.fsyncOnClose === true;
    this.fd = openSync(options.file, 'a');
    this.framer = new RecordFramer(options.fileOffset);
    this.stepKeyField = keyField(options.stepMetric);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  handle(message: SinkMessage): void {
    if (this.timedError !== undefined) {
      const error = this.timedError;
      this.timedError = undefined;
      // The file still gets closed at finish, even though what is pending cannot be written.
      if (message.finish && !this.closed) {
        this.closed = true;
        clearTimeout(this.flushTimer);
        closeSync(this.fd);
      }
      throw error;
    }
    if (this.closed) return;
    if (message.keys) for (const key of message.keys) this.wireKeys.push({ key, encoded: undefined });
    if (message.segments)
      for (const s of message.segments) {
        if (s instanceof Uint8Array) this.framer.append(s);
        else this.rows(s);
      }
    if (message.finish) return this.finish();
    if (message.flush) return this.flush();
    this.flushSoon();
  }

  /** Every number of the segment gets its text in one call, here or by the sender (see JsonNumberBatch). */
  private rows(s: RowsSegment): void {
    if (s.numbersJson === undefined) this.texts.load(s.numbers);
    else this.texts.loadBytes(s.numbersJson);
    const keys: WireKey[] = new Array(s.keyIds.length);
    for (let i = 0; i < keys.length; i++) {
      const key = this.wireKeys[s.keyIds[i]!];
      if (key === undefined) throw new Error(`offline writer: unknown key #${s.keyIds[i]}`);
      keys[i] = key;
    }
    const view: HistoryRowView = {
      step: 0,
      canonicalStep: 0,
      runtimeMs: 0,
      wallTime: 0,
      keys,
      values: s.texts ?? noTexts(s.keyIds.length),
      start: 0,
      end: 0,
      numbers: s.numbers,
      numbersAt: 0,
    };
    const w = this.proto;
    const meta = s.rows;
    let num = s.firstNum;
    for (let r = 0; r < meta.length; r += ROW_FIELDS) {
      view.step = meta[r]!;
      view.canonicalStep = meta[r + 1]!;
      view.runtimeMs = meta[r + 2]!;
      view.wallTime = meta[r + 3]!;
      view.end = view.start + meta[r + 4]!;
      encodeHistoryRow(w.reset(), num++, view, this.stepKeyField, this.texts);
      this.framer.append(w.view());
      // the next row's numbers follow this row's
      if (s.texts === undefined) view.numbersAt = view.end;
      else for (let i = view.start; i < view.end; i++) if (s.texts[i] === null) view.numbersAt++;
      view.start = view.end;
    }
  }

  /** Writes the framed records to the file (one write call). */
  flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.framer.pending === 0) return;
    const bytes = this.framer.take();
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
  }

  private flushSoon(): void {
    if (this.framer.pending >= FLUSH_BYTES) return this.flush();
    if (this.flushTimer || this.framer.pending === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      try {
        if (!this.closed) this.flush();
      } catch (error) {
        this.timedError = error;
      }
    }, FLUSH_DELAY_MS);
    this.flushTimer.unref?.();
  }

  /** Flush, fsync if asked, close. Idempotent. */
  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
      if (this.fsyncOnClose) fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }
}

/** All-null texts for a segment of scalars only (read in bounds: cheaper than past the end of an empty array). */
let nulls: null[] = [];
function noTexts(n: number): readonly null[] {
  if (nulls.length < n) nulls = new Array<null>(Math.max(n, 2 * nulls.length)).fill(null);
  return nulls;
}
