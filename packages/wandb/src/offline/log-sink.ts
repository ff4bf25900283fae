import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { JsonNumberBatch } from '../json.js';
import { RecordFramer } from '../log/framer.js';
import { historyItems, KeyTable } from '../number-text/index.js';
import { encodeHistoryItemsRow, encodeHistoryRow, keyField, type HistoryRowColumns, type HistoryRowView } from '../proto/records.js';
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
   * The values' history items, encoded by the sender (`historyItems`), and where each ends. Encoding the items
   * (the numbers' text above all) is the largest part of the work: the sender does it while the writer is well
   * behind, and leaves it to the writer otherwise, so the two threads share the work.
   */
  items?: Uint8Array;
  itemEnds?: Uint32Array;
  /** Per value: JSON text, or null for the next of `numbers`. Absent when every value is a scalar. */
  texts?: (string | null)[];
  /**
   * The one buffer that holds `rows`, `numbers`, `keyIds`, `itemEnds` and `items`, owned by this segment: it moves
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
  /** The wire keys' encoded `key` fields, for the WebAssembly item writer. */
  private readonly keyTable = new KeyTable();
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
    if (message.keys)
      for (const key of message.keys) {
        const encoded = keyField(key);
        this.wireKeys.push({ key, encoded });
        this.keyTable.add(encoded);
      }
    if (message.segments)
      for (const s of message.segments) {
        if (s instanceof Uint8Array) this.framer.append(s);
        else this.rows(s);
      }
    if (message.finish) return this.finish();
    if (message.flush) return this.flush();
    this.flushSoon();
  }

  /**
   * Rows of numbers only get their items whole from the WebAssembly module, here or by the sender; rows with
   * other values get every number's text in one call (see JsonNumberBatch) and are encoded value by value.
   */
  private rows(s: RowsSegment): void {
    const keys: WireKey[] = new Array(s.keyIds.length);
    for (let i = 0; i < keys.length; i++) {
      const key = this.wireKeys[s.keyIds[i]!];
      if (key === undefined) throw new Error(`offline writer: unknown key #${s.keyIds[i]}`);
      keys[i] = key;
    }
    if (s.items !== undefined && s.itemEnds !== undefined) return this.itemRows(s, s.items, s.itemEnds);
    if (s.texts === undefined) {
      const items = historyItems(s.numbers, s.keyIds, this.keyTable);
      if (items !== undefined) return this.itemRows(s, items.bytes, items.ends);
    }
    this.texts.load(s.numbers);
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

  /** Rows whose values' items are encoded (`ends[i]`: where value i's item ends in `items`). */
  private itemRows(s: RowsSegment, items: Uint8Array, ends: Uint32Array): void {
    const w = this.proto;
    const meta = s.rows;
    const row: HistoryRowColumns = { step: 0, canonicalStep: 0, runtimeMs: 0, wallTime: 0 };
    let num = s.firstNum;
    let from = 0;
    let values = 0;
    for (let r = 0; r < meta.length; r += ROW_FIELDS) {
      row.step = meta[r]!;
      row.canonicalStep = meta[r + 1]!;
      row.runtimeMs = meta[r + 2]!;
      row.wallTime = meta[r + 3]!;
      values += meta[r + 4]!;
      const to = values === 0 ? 0 : ends[values - 1]!;
      encodeHistoryItemsRow(w.reset(), num++, row, items, from, to, this.stepKeyField);
      this.framer.append(w.view());
      from = to;
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
