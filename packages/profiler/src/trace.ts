import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { OperationStats } from './operation-stats.js';

/** One complete event of the Chrome trace-event format (`ph: 'X'`), times in microseconds. */
export interface TraceEvent {
  name: string;
  cat: string;
  ph: 'X' | 'M';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

/** A bounded buffer of complete events; events past the capacity are counted, not kept. */
export class TraceBuffer {
  private readonly ops: OperationStats[] = [];
  private readonly starts: Float64Array;
  private readonly durations: Float64Array;
  private readonly errored: Uint8Array;
  size = 0;
  dropped = 0;

  constructor(readonly capacity: number) {
    this.starts = new Float64Array(capacity);
    this.durations = new Float64Array(capacity);
    this.errored = new Uint8Array(capacity);
  }

  add(op: OperationStats, startMs: number, durationMs: number, error: boolean): void {
    const i = this.size;
    if (i >= this.capacity) {
      this.dropped++;
      return;
    }
    this.ops[i] = op;
    this.starts[i] = startMs;
    this.durations[i] = durationMs;
    this.errored[i] = error ? 1 : 0;
    this.size = i + 1;
  }

  clear(): void {
    this.size = 0;
    this.dropped = 0;
    this.ops.length = 0;
  }

  /** The trace as a JSON-object-format document Perfetto and chrome://tracing open. */
  toJSON(): { traceEvents: TraceEvent[]; displayTimeUnit: 'ms'; otherData: Record<string, unknown> } {
    const pid = process.pid;
    const tid = threadId;
    const events: TraceEvent[] = [
      { name: 'process_name', cat: '__metadata', ph: 'M', ts: 0, pid, tid, args: { name: 'node' } },
      { name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid, tid, args: { name: tid === 0 ? 'main' : `worker ${tid}` } },
    ];
    for (let i = 0; i < this.size; i++) {
      const op = this.ops[i];
      const event: TraceEvent = {
        name: op.name,
        cat: op.category,
        ph: 'X',
        ts: round3(this.starts[i] * 1000),
        dur: round3(this.durations[i] * 1000),
        pid,
        tid,
      };
      if (this.errored[i]) event.args = { error: true };
      events.push(event);
    }
    return { traceEvents: events, displayTimeUnit: 'ms', otherData: { producer: '@metrics/profiler', droppedEvents: this.dropped } };
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Writes via a temporary file and a rename, so a reader never sees half a trace. */
export async function writeTraceFile(path: string, buffer: TraceBuffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(buffer.toJSON()));
  await rename(tmp, path);
}

/** The same, synchronously: for process exit, where nothing async runs any more. */
export function writeTraceFileSync(path: string, buffer: TraceBuffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(buffer.toJSON()));
  renameSync(tmp, path);
}
