import { closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
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
  encodeHistoryRow,
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
import { JsonNumberBatch } from '../json.js';
import { ProtoWriter } from '../proto/writer.js';
import type { BatchEffects, HistoryRow } from '../run-state.js';

const FLUSH_BYTES = 256 * 1024;
const FLUSH_DELAY_MS = 200;

export interface OfflineRunOptions {
  /** Root directory; the run goes to `<root>/wandb/offline-run-<stamp>-<id>/`. */
  rootDir: string;
  run: RunFields;
  /** Column holding the canonical step; defined as every metric's x-axis. */
  stepMetric: string;
}

/**
 * One offline run directory and its `.wandb` transaction log. Records are framed whole and handed to
 * the OS in one write at least every 200 ms (or 256 KiB), so a crash loses at most that much, and
 * readers see every complete record before it.
 */
export class OfflineRun {
  readonly runDir: string;
  readonly filesDir: string;
  readonly wandbFile: string;
  private readonly fd: number;
  private readonly framer = new RecordFramer(0);
  private readonly proto = new ProtoWriter(4096);
  /** The current batch's numbers as JSON text (the buffer is reused). */
  private readonly numbers = new JsonNumberBatch();
  private readonly stepKeyField: Uint8Array;
  private num = 0;
  private closed = false;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OfflineRunOptions) {
    const wandbDir = wandbDirIn(options.rootDir);
    const id = safeSegment(options.run.runId, 64);
    let dir = join(wandbDir, `offline-run-${localStamp(options.run.startTime)}-${id}`);
    // Two runs with one id in the same second (a quick resume): keep the name parseable, never overwrite.
    for (let n = 1; existsSync(dir); n++) dir = join(wandbDir, `offline-run-${localStamp(options.run.startTime + n * 1000)}-${id}`);
    this.runDir = dir;
    this.stepKeyField = keyField(options.stepMetric);
    this.filesDir = join(dir, 'files');
    mkdirSync(this.filesDir, { recursive: true });
    this.wandbFile = join(dir, `run-${id}.wandb`);
    this.fd = openSync(this.wandbFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    this.record((w, n) => encodeHeader(w, n));
    this.flush(); // the header goes out at once: syncing a running run must not see an empty file
    this.record((w, n) => encodeRun(w, n, { host: hostname(), ...options.run }));
    this.record((w, n) => encodeMetric(w, n, { name: options.stepMetric }));
    this.record((w, n) => encodeMetric(w, n, { globName: '*', stepMetric: options.stepMetric, stepSync: true }));
    this.flush();
    this.writeMetadata();
    updateLatestRunLink(wandbDir, dir);
  }

  private record(encode: (w: ProtoWriter, num: number) => void): void {
    encode(this.proto.reset(), ++this.num);
    this.framer.append(this.proto.view());
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

  get recordCount(): number {
    return this.num;
  }

  write(effects: BatchEffects): void {
    if (this.closed) return;
    if (effects.config.length > 0) this.record((w, n) => encodeConfig(w, n, effects.config));
    if (effects.media.length > 0) {
      const entries: FileEntry[] = [];
      for (const m of effects.media) {
        this.writeFile(m);
        entries.push({ path: m.path, policy: FilePolicy.now, type: FileType.media });
      }
      this.record((w, n) => encodeFiles(w, n, entries));
    }
    for (const s of effects.system) this.record((w, n) => encodeStats(w, n, s.wallTime, s.items));
    if (effects.rows.length > 0) this.writeRows(effects.rows, effects.numbers);
    if (effects.summary.length > 0) this.record((w, n) => encodeSummary(w, n, effects.summary));
    this.flushSoon();
  }

  /** History records; every number of the batch goes through one JSON.stringify call. */
  private writeRows(rows: readonly HistoryRow[], numbers: readonly number[]): void {
    this.numbers.load(numbers);
    const w = this.proto;
    for (const row of rows) {
      encodeHistoryRow(w.reset(), ++this.num, row, this.stepKeyField, this.numbers);
      this.framer.append(w.view());
    }
  }

  /** Captured console lines as `output_raw` records (0 = stderr, 1 = stdout), each ending with a newline. */
  writeOutput(lines: readonly ConsoleLine[]): void {
    if (this.closed) return;
    for (const l of lines) this.record((w, n) => encodeOutputRaw(w, n, l.stream === 'stderr' ? 0 : 1, l.timeMs, `${l.text}\n`));
    this.flushSoon();
  }

  /**
   * Coalesces small writes: framed records go to the file once 256 KiB are pending, or within
   * FLUSH_DELAY_MS otherwise (forceFlush and finish write at once). Records are always written whole.
   */
  private flushSoon(): void {
    if (this.framer.pending >= FLUSH_BYTES) return this.flush();
    if (this.flushTimer || this.framer.pending === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      try {
        if (!this.closed) this.flush();
      } catch {
        // reported by the next explicit flush
      }
    }, FLUSH_DELAY_MS);
    this.flushTimer.unref?.();
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

  /** Final summary, exit (with code) and final records; fsync and close. Idempotent. */
  finish(finalSummary: readonly JsonItem[], exitCode: number, runtimeSeconds: number): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.record((w, n) => encodeSummary(w, n, finalSummary));
      this.record((w, n) => encodeExit(w, n, exitCode, Math.floor(runtimeSeconds)));
      this.record((w, n) => encodeFinal(w, n));
      this.flush();
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
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
