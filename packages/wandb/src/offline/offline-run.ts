import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import type { WandbArtifactRecord } from '../artifacts/dataset.js';
import { prepareArtifact } from '../artifacts/manifest.js';
import { historyItems, KeyTable } from '../number-text/index.js';
import { encodeArtifact } from '../proto/artifact-record.js';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { RecordFramer } from '../log/framer.js';
import { itemsToObject, readWandbFile } from '../log/records.js';
import type { ConsoleLine } from '../console/capture.js';
import type { MediaFile } from '../media/values.js';
import { localStamp, safeSegment } from '../paths.js';
import {
  encodeConfig,
  encodeExit,
  encodeFiles,
  encodeFinal,
  encodeHeader,
  encodeMetric,
  encodeOutputRaw,
  encodeRun,
  encodeStats,
  encodeSummary,
  keyField,
  type FileEntry,
  type JsonItem,
  type RunFields,
} from '../proto/records.js';
import { FilePolicy, FileType } from '../proto/fields.js';
import { ProtoWriter } from '../proto/writer.js';
import type { BatchEffects, HistoryRow } from '../run-state.js';
import { ROW_FIELDS, type RowsSegment, type Segment, type SinkMessage } from './log-sink.js';
import { openWriterChannel, type OfflineWriterMode, type WriterChannel } from './writer-channel.js';

export interface OfflineRunOptions {
  /** Root directory; the run goes to `<root>/wandb/offline-run-<stamp>-<id>/`. */
  rootDir: string;
  run: RunFields;
  /** Column holding the canonical step; defined as every metric's x-axis. */
  stepMetric: string;
  /** Where the log's records are encoded and written. Default 'thread'. */
  writer?: OfflineWriterMode;
  /** fsync the log when the run finishes. Default false. */
  fsyncOnClose?: boolean;
}

/**
 * One offline run directory and its `.wandb` transaction log. The run's first records are written at
 * once; later ones go, in order, to the log's writer (a worker thread unless `writer: 'inline'`), which
 * encodes the history rows and writes whole records at least every 200 ms (or 256 KiB): a crash loses
 * at most that much, and readers see every complete record before it.
 */
export class OfflineRun {
  readonly runDir: string;
  readonly filesDir: string;
  readonly wandbFile: string;
  private readonly channel: WriterChannel;
  private readonly proto = new ProtoWriter(4096);
  private num = 0;
  private seq = 0;
  private closed = false;
  /** Keys numbered for the writer but not sent yet. */
  private newKeys: string[] = [];
  private nextKeyId = 0;
  /** The encoded `key` field of each wire key, for items this thread encodes (see RowsSegment.items). */
  private readonly keyTable = new KeyTable();
  private artifacts = 0;

  constructor(private readonly options: OfflineRunOptions) {
    const wandbDir = wandbDirIn(options.rootDir);
    const id = safeSegment(options.run.runId, 64);
    let dir = join(wandbDir, `offline-run-${localStamp(options.run.startTime)}-${id}`);
    // Two runs with one id in the same second (a quick resume): keep the name parseable, never overwrite.
    for (let n = 1; existsSync(dir); n++) dir = join(wandbDir, `offline-run-${localStamp(options.run.startTime + n * 1000)}-${id}`);
    this.runDir = dir;
    this.filesDir = join(dir, 'files');
    mkdirSync(this.filesDir, { recursive: true });
    this.wandbFile = join(dir, `run-${id}.wandb`);
    const fd = openSync(this.wandbFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    // The run's first records go out at once: syncing a running run must not see an empty file.
    const framer = new RecordFramer(0);
    const first = (encode: (w: ProtoWriter, num: number) => void) => {
      encode(this.proto.reset(), ++this.num);
      framer.append(this.proto.view());
    };
    try {
      first((w, n) => encodeHeader(w, n));
      first((w, n) => encodeRun(w, n, { host: hostname(), ...options.run }));
      first((w, n) => encodeMetric(w, n, { name: options.stepMetric }));
      first((w, n) => encodeMetric(w, n, { globName: '*', stepMetric: options.stepMetric, stepSync: true }));
      const bytes = framer.take();
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    } finally {
      closeSync(fd);
    }
    // The writer appends the rest.
    this.channel = openWriterChannel(options.writer ?? 'thread', {
      file: this.wandbFile,
      fileOffset: framer.fileOffset,
      stepMetric: options.stepMetric,
      fsyncOnClose: options.fsyncOnClose === true,
    });
    this.writeMetadata();
    updateLatestRunLink(wandbDir, dir);
  }

  /** Where the log is written: on a worker thread, or on the caller's. */
  get writer(): 'thread' | 'inline' {
    return this.channel.kind;
  }

  /** One small record, encoded here (a copy with a buffer of its own goes to the writer). */
  private record(segments: Segment[], encode: (w: ProtoWriter, num: number) => void): void {
    encode(this.proto.reset(), ++this.num);
    segments.push(new Uint8Array(this.proto.view()));
  }

  private send(message: Omit<SinkMessage, 'seq'>): Promise<void> | undefined {
    // After a failed write nothing more is sent, except `finish` (the writer still closes the file).
    const failure = this.channel.failure;
    if (failure && !message.finish) throw failure;
    const full: SinkMessage = { ...message, seq: ++this.seq };
    if (this.newKeys.length > 0) {
      full.keys = this.newKeys;
      this.newKeys = [];
    }
    return this.channel.send(full);
  }

  /** Writes everything handed over so far to the file. */
  async flush(): Promise<void> {
    if (this.closed) return;
    await this.send({ flush: true });
  }

  get recordCount(): number {
    return this.num;
  }

  /** See WriterChannel.waitForRoom: true when `write` can be called now without the writer falling far behind. */
  waitForWriter(maxMs: number): boolean {
    return this.closed || this.channel.waitForRoom(maxMs);
  }

  /**
   * Hands a batch's records to the writer. Returns a promise only when the writer is far behind (the
   * caller should wait for it); throws the error of an earlier failed write.
   */
  write(effects: BatchEffects): Promise<void> | undefined {
    if (this.closed) return undefined;
    const segments: Segment[] = [];
    if (effects.config.length > 0) this.record(segments, (w, n) => encodeConfig(w, n, effects.config));
    if (effects.media.length > 0) {
      const entries: FileEntry[] = [];
      for (const m of effects.media) {
        this.writeFile(m);
        entries.push({ path: m.path, policy: FilePolicy.now, type: FileType.media });
      }
      this.record(segments, (w, n) => encodeFiles(w, n, entries));
    }
    for (const s of effects.system) this.record(segments, (w, n) => encodeStats(w, n, s.wallTime, s.items));
    if (effects.rows.length > 0) segments.push(this.rowsSegment(effects.rows, effects.numbers));
    if (effects.summary.length > 0) this.record(segments, (w, n) => encodeSummary(w, n, effects.summary));
    if (segments.length === 0) return undefined;
    return this.send({ segments });
  }

  /**
   * Tags or notes changed during the run: the run record again with the new values, as wandb writes when
   * `run.tags` or `run.notes` is set (`wandb sync` sends it as an update of the run).
   */
  updateRun(change: { tags?: readonly string[]; notes?: string }): void {
    if (this.closed) return;
    const run = this.options.run;
    if (change.tags) run.tags = change.tags;
    if (change.notes !== undefined) run.notes = change.notes;
    const segments: Segment[] = [];
    this.record(segments, (w, n) => encodeRun(w, n, { host: hostname(), ...run, config: undefined }));
    void this.send({ segments })?.catch(() => {}); // a failure is reported by the next write or flush
  }

  /**
   * An artifact: its files copied under `artifacts/` of the run directory (what `wandb sync` uploads, so later
   * changes to the originals do not matter) and an `artifact` record naming them. Throws ArtifactProblem for
   * an artifact that cannot be made (nothing is recorded then); returns like `write`.
   */
  writeArtifact(record: WandbArtifactRecord): Promise<void> | undefined {
    if (this.closed) return undefined;
    const stage = join(this.runDir, 'artifacts', `${++this.artifacts}`);
    let prepared;
    try {
      prepared = prepareArtifact(record, stage);
    } catch (error) {
      rmSync(stage, { recursive: true, force: true });
      throw error;
    }
    const run = this.options.run;
    const segments: Segment[] = [];
    this.record(segments, (w, n) => encodeArtifact(w, n, { runId: run.runId, project: run.project ?? '', entity: run.entity ?? '' }, prepared));
    return this.send({ segments });
  }

  /** The rows as numbers and key numbers; the writer encodes them, or this thread while the writer is well behind (see LogSink). */
  private rowsSegment(rows: readonly HistoryRow[], numbers: number[]): RowsSegment {
    const first = rows[0]!;
    const keys = first.keys;
    const values = first.values;
    // A batch's rows share its key and value arrays, from the first row's start to the last row's end.
    const from = first.start;
    const to = rows[rows.length - 1]!.end;
    const own = first.numbersAt === 0 ? numbers : numbers.slice(first.numbersAt);
    let texts: (string | null)[] | undefined;
    const keyIds = new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      const slot = keys[i]!;
      if (slot.wireId < 0) {
        slot.wireId = this.nextKeyId++;
        this.newKeys.push(slot.key);
        this.keyTable.add(keyField(slot.key));
      }
      keyIds[i - from] = slot.wireId;
      const text = values[i];
      if (text != null) (texts ??= new Array<string | null>(to - from).fill(null))[i - from] = text;
    }
    // Rows of numbers only: the items encoded here or on the writer's thread, whichever has time.
    const items = texts === undefined && this.channel.busy ? historyItems(own, keyIds, this.keyTable) : undefined;
    // One buffer for all the arrays (doubles first, so every view is aligned).
    const metaBytes = rows.length * ROW_FIELDS * 8;
    const numbersBytes = own.length * 8;
    const keyIdsBytes = keyIds.byteLength;
    const endsBytes = items ? items.ends.byteLength : 0;
    const buffer = new ArrayBuffer(metaBytes + numbersBytes + keyIdsBytes + endsBytes + (items?.bytes.length ?? 0));
    const meta = new Float64Array(buffer, 0, rows.length * ROW_FIELDS);
    const numbersOut = new Float64Array(buffer, metaBytes, own.length);
    const keyIdsOut = new Int32Array(buffer, metaBytes + numbersBytes, keyIds.length);
    let m = 0;
    for (const row of rows) {
      meta[m++] = row.step;
      meta[m++] = row.canonicalStep;
      meta[m++] = row.runtimeMs;
      meta[m++] = row.wallTime;
      meta[m++] = row.end - row.start;
    }
    numbersOut.set(own);
    keyIdsOut.set(keyIds);
    const segment: RowsSegment = { firstNum: this.num + 1, rows: meta, keyIds: keyIdsOut, numbers: numbersOut, buffer };
    if (items !== undefined) {
      const at = metaBytes + numbersBytes + keyIdsBytes;
      segment.itemEnds = new Uint32Array(buffer, at, items.ends.length);
      segment.itemEnds.set(items.ends);
      segment.items = new Uint8Array(buffer, at + endsBytes, items.bytes.length);
      segment.items.set(items.bytes);
    }
    if (texts) segment.texts = texts;
    this.num += rows.length;
    return segment;
  }

  /** Captured console lines as `output_raw` records (0 = stderr, 1 = stdout), each ending with a newline. */
  writeOutput(lines: readonly ConsoleLine[]): void {
    if (this.closed || lines.length === 0) return;
    const segments: Segment[] = [];
    for (const l of lines) this.record(segments, (w, n) => encodeOutputRaw(w, n, l.stream === 'stderr' ? 0 : 1, l.timeMs, `${l.text}\n`));
    void this.send({ segments })?.catch(() => {}); // a failure is reported by the next write or flush
  }

  /** Final summary, exit (with code) and final records; the writer closes the log. Idempotent. */
  async finish(finalSummary: readonly JsonItem[], exitCode: number, runtimeSeconds: number): Promise<void> {
    if (this.closed) return;
    const segments: Segment[] = [];
    this.record(segments, (w, n) => encodeSummary(w, n, finalSummary));
    this.record(segments, (w, n) => encodeExit(w, n, exitCode, Math.floor(runtimeSeconds)));
    this.record(segments, (w, n) => encodeFinal(w, n));
    this.closed = true;
    await this.send({ segments, finish: true });
  }

  private writeFile(file: MediaFile): void {
    const target = join(this.filesDir, ...file.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.bytes);
  }

  /** Writes files/ documents next to the log (wandb sync regenerates them; they serve humans and tools). */
  writeDocuments(docs: { configYaml: string; summaryJson?: string }): void {
    writeFileSync(join(this.filesDir, 'config.yaml'), docs.configYaml);
    if (docs.summaryJson !== undefined) writeFileSync(join(this.filesDir, 'wandb-summary.json'), docs.summaryJson);
  }

  private writeMetadata(): void {
    const meta = {
      os: `${process.platform}-${process.arch}`,
      program: process.argv[1] ?? '',
      args: [] as string[],
      host: hostname(),
      startedAt: new Date(this.options.run.startTime).toISOString(),
      executable: process.execPath,
      runtime: `node ${process.versions.node}`,
      writer: '@metrics/wandb',
    };
    writeFileSync(join(this.filesDir, 'wandb-metadata.json'), JSON.stringify(meta, null, 2));
  }
}

/** `<root>/wandb`, or `<root>/.wandb` when that exists (wandb's rule). */
export function wandbDirIn(rootDir: string): string {
  const hidden = join(rootDir, '.wandb');
  return existsSync(hidden) ? hidden : join(rootDir, 'wandb');
}

/** `latest-run` → the run directory, replaced atomically (temp link + rename) as wandb does. */
function updateLatestRunLink(wandbDir: string, runDir: string): void {
  const tmp = join(wandbDir, `.latest-run.${process.pid}`);
  try {
    rmSync(tmp, { force: true });
    symlinkSync(runDir.slice(wandbDir.length + 1), tmp);
    renameSync(tmp, join(wandbDir, 'latest-run'));
  } catch {
    rmSync(tmp, { force: true }); // a convenience link only
  }
}

/**
 * The last `_step` written for `runId` by earlier offline runs under `rootDir` (for resuming), or -1.
 * Damaged files count up to their last complete record.
 */
export function lastOfflineStep(rootDir: string, runId: string): number {
  const wandbDir = wandbDirIn(rootDir);
  const id = safeSegment(runId, 64);
  let last = -1;
  let names: string[] = [];
  try {
    names = readdirSync(wandbDir);
  } catch {
    return -1;
  }
  for (const name of names) {
    if (!name.startsWith('offline-run-') || !name.endsWith(`-${id}`)) continue;
    const file = join(wandbDir, name, `run-${id}.wandb`);
    if (!existsSync(file)) continue;
    for (const r of readWandbFile(file).records) {
      if (r.type !== 'history') continue;
      const step = itemsToObject(r.data.item)._step;
      if (typeof step === 'number' && step > last) last = step;
    }
  }
  return last;
}
