import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ProtoError } from '@metrics/core/protobuf';
import { EventDecoder, type DecodedEvent, type DecodedValue } from './decode.js';
import { iterateRecords, type RecordError } from './records.js';

export { iterateRecords, type RawRecord, type RecordError, type RecordProblem } from './records.js';
export { EventDecoder, decodeHparams, type DecodedEvent, type DecodedValue, type HparamsContent } from './decode.js';
export { ProtoError } from '@metrics/core/protobuf';
export { createTensorBoardReader, TensorBoardReader, parseTagsTable, type TensorBoardRun } from './runs.js';

export interface ReadError {
  problem: RecordError['problem'] | 'proto';
  offset: number;
  message: string;
}

export interface EventFileContents {
  events: DecodedEvent[];
  /** Problems found, each with its byte offset. Reading never throws on bad bytes. */
  errors: ReadError[];
  /** Byte offset of a truncated last record (a writer still running, or killed mid-write). */
  truncatedAt?: number;
}

/** Decodes every record of an event file's bytes. */
export function readEventBytes(bytes: Uint8Array): EventFileContents {
  const recordErrors: RecordError[] = [];
  const errors: ReadError[] = [];
  const events: DecodedEvent[] = [];
  const decoder = new EventDecoder();
  for (const rec of iterateRecords(bytes, recordErrors)) {
    try {
      events.push(decoder.decode(rec.data));
    } catch (e) {
      const inner = e instanceof ProtoError ? e.offset : 0;
      errors.push({
        problem: 'proto',
        offset: rec.offset,
        message: `undecodable event in the record at byte ${rec.offset} (${(e as Error).message}, record byte ${inner})`,
      });
    }
  }
  const out: EventFileContents = { events, errors: [...errors, ...recordErrors].sort((a, b) => a.offset - b.offset) };
  const truncated = recordErrors.find((e) => e.problem === 'truncated');
  if (truncated) out.truncatedAt = truncated.offset;
  return out;
}

export function readEventFile(path: string): EventFileContents {
  return readEventBytes(readFileSync(path));
}

/** Event files under `logdir`, grouped by run (the directory relative to logdir; `.` for the root), names sorted. */
export function listRuns(logdir: string): Map<string, string[]> {
  const runs = new Map<string, string[]>();
  const walk = (dir: string, depth: number): void => {
    if (depth > 64) return;
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      let st;
      try {
        st = statSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(path, depth + 1);
      else if (name.includes('tfevents')) {
        const run = relative(logdir, dir).split(sep).join('/') || '.';
        const list = runs.get(run) ?? [];
        list.push(path);
        runs.set(run, list);
      }
    }
  };
  walk(logdir, 0);
  return new Map([...runs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface TagSummary {
  kind: DecodedValue['kind'];
  count: number;
  firstStep: number;
  lastStep: number;
  /** Last scalar value, or a short description for other kinds. */
  last: number | string;
}

export interface RunSummary {
  run: string;
  files: string[];
  tags: Map<string, TagSummary>;
  errors: (ReadError & { file: string })[];
}

/** What `metrics-tensorboard inspect` prints: per run, per tag, counts, step ranges and last values. */
export function summarizeLogDir(logdir: string): RunSummary[] {
  const out: RunSummary[] = [];
  for (const [run, files] of listRuns(logdir)) {
    const summary: RunSummary = { run, files, tags: new Map(), errors: [] };
    for (const file of files) {
      let contents: EventFileContents;
      try {
        contents = readEventFile(file);
      } catch (e) {
        summary.errors.push({ problem: 'proto', offset: 0, message: (e as Error).message, file });
        continue;
      }
      for (const err of contents.errors) summary.errors.push({ ...err, file });
      for (const ev of contents.events) {
        for (const v of ev.values) {
          const prev = summary.tags.get(v.tag);
          const last = describe(v);
          if (!prev) summary.tags.set(v.tag, { kind: v.kind, count: 1, firstStep: ev.step, lastStep: ev.step, last });
          else {
            prev.count++;
            prev.firstStep = Math.min(prev.firstStep, ev.step);
            prev.lastStep = Math.max(prev.lastStep, ev.step);
            prev.last = last;
          }
        }
      }
    }
    out.push(summary);
  }
  return out;
}

function describe(v: DecodedValue): number | string {
  switch (v.kind) {
    case 'scalar':
      return v.value;
    case 'histogram':
      return `n=${v.num} min=${v.min} max=${v.max}`;
    case 'image':
      return `${v.width}x${v.height} (${v.encoded.length} bytes)`;
    case 'text':
      return v.text.length > 60 ? JSON.stringify(v.text.slice(0, 57) + '...') : JSON.stringify(v.text);
    case 'hparams':
      return v.content.kind === 'session_start' ? JSON.stringify(v.content.hparams) : v.content.kind;
    case 'tensor':
      return `${v.pluginName || 'tensor'} dtype=${v.dtype} shape=[${v.shape.join(',')}]`;
    default:
      return '';
  }
}

/** The inspect report as text lines. */
export function formatSummary(runs: RunSummary[]): string {
  const lines: string[] = [];
  if (runs.length === 0) lines.push('No event files found.');
  for (const r of runs) {
    lines.push(`run ${r.run}  (${r.files.length} file${r.files.length === 1 ? '' : 's'})`);
    for (const [tag, t] of r.tags) {
      lines.push(`  ${tag}  ${t.kind}  count=${t.count}  steps=${t.firstStep}..${t.lastStep}  last=${t.last}`);
    }
    for (const e of r.errors) lines.push(`  ! ${e.problem} at byte ${e.offset} of ${e.file}: ${e.message}`);
  }
  return lines.join('\n');
}
