import { InvalidCallError } from '@metrics/core';
import { didYouMeanHint, LocalRunReader, type LocalRunContents, type MetricPoint, type RunStatus, type RunSummary } from '@metrics/core/backend';
import type { DecodedEvent } from './decode.js';
import { listRuns, readEventFile } from './index.js';

/** A TensorBoard run: the shared summary plus its event files. `id` and `name` are the directory relative to the logdir (`.` for the logdir itself). */
export interface TensorBoardRun extends RunSummary {
  files: string[];
}

/** The hparams plugin's session status (SessionEndInfo.status). */
const SESSION_STATUS: Record<number, RunStatus> = { 1: 'finished', 2: 'failed', 3: 'running' };

/**
 * Reads a TensorBoard logdir back as runs (every directory holding event files) with the same shape as the
 * MLflow and W&B readers: params from the hparams plugin, tags from the `tags` text `setTags` writes, status
 * from the hparams session end, and scalar histories. Damaged records are skipped (`metrics-tensorboard inspect`
 * reports them). Files are read again on every call, so a running writer's new points show up. A resumed run's
 * restart marker (SessionLog START at the resume step) hides the earlier attempt's points at or above that step,
 * as TensorBoard's Python loader does (its Rust data server ignores the marker and shows them).
 */
export class TensorBoardReader extends LocalRunReader<TensorBoardRun> {
  protected readonly runNoun = 'run';
  protected readonly metricNoun = 'scalar';

  constructor(readonly logdir: string) {
    super();
  }

  async listRuns(): Promise<TensorBoardRun[]> {
    return [...listRuns(this.logdir)].map(([run, files]) => readRun(run, files).run);
  }

  protected contents(run: string): LocalRunContents<TensorBoardRun> {
    const runs = listRuns(this.logdir);
    const files = runs.get(run);
    if (!files) throw new InvalidCallError('getRun', `no run "${run}" under ${this.logdir}${didYouMeanHint(run, runs.keys())}`);
    return readRun(run, files);
  }
}

/** A reader of the runs under `logdir`. */
export function createTensorBoardReader(logdir: string): TensorBoardReader {
  return new TensorBoardReader(logdir);
}

function readRun(id: string, files: string[]): LocalRunContents<TensorBoardRun> {
  const run: TensorBoardRun = { id, name: id, status: 'unknown', params: {}, tags: {}, latestMetrics: {}, files };
  const scalars = new Map<string, MetricPoint[]>();
  let tagsText: { step: number; text: string } | undefined;
  let firstWallTime = Infinity;
  for (const file of files) {
    let events: DecodedEvent[];
    try {
      events = readEventFile(file).events;
    } catch {
      continue; // unreadable file: inspect reports it
    }
    for (const ev of events) {
      if (ev.wallTime > 0) firstWallTime = Math.min(firstWallTime, ev.wallTime);
      // A resumed run's restart marker: hide the crashed attempt's points at or above it, as EventAccumulator does.
      if (ev.sessionStart)
        for (const [tag, points] of scalars)
          scalars.set(
            tag,
            points.filter((p) => p.step < ev.step),
          );
      for (const v of ev.values) {
        if (v.kind === 'scalar') {
          const list = scalars.get(v.tag) ?? [];
          list.push({ step: ev.step, value: v.value, timestamp: Math.round(ev.wallTime * 1000) });
          scalars.set(v.tag, list);
        } else if (v.kind === 'text' && v.tag === 'tags' && (!tagsText || ev.step >= tagsText.step)) tagsText = { step: ev.step, text: v.text };
        else if (v.kind === 'hparams' && v.content.kind === 'session_start') {
          for (const [k, value] of Object.entries(v.content.hparams)) run.params[k] = typeof value === 'string' ? value : JSON.stringify(value);
          if (v.content.startTimeSecs > 0) run.startTime = Math.round(v.content.startTimeSecs * 1000);
          if (run.status === 'unknown') run.status = 'running';
        } else if (v.kind === 'hparams' && v.content.kind === 'session_end') {
          run.status = SESSION_STATUS[v.content.status] ?? 'unknown';
          if (v.content.endTimeSecs > 0) run.endTime = Math.round(v.content.endTimeSecs * 1000);
        }
      }
    }
  }
  if (run.startTime === undefined && Number.isFinite(firstWallTime)) run.startTime = Math.round(firstWallTime * 1000);
  if (tagsText) run.tags = parseTagsTable(tagsText.text);
  for (const [tag, points] of scalars) {
    if (points.length === 0) {
      scalars.delete(tag);
      continue;
    }
    points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    run.latestMetrics[tag] = points[points.length - 1]!.value;
  }
  return { run, series: new Map([...scalars].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

/** The `| tag | value |` Markdown table the exporter writes for `setTags`, back to a record (escapes undone). */
export function parseTagsTable(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n').slice(2)) {
    const cells = splitRow(line);
    if (cells.length >= 2) out[cells[0]!] = cells[1]!;
  }
  return out;
}

function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '\\' && i + 1 < inner.length) cell += inner[++i];
    else if (c === '|') cells.push(cell), (cell = '');
    else cell += c;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}
