import { lstatSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InvalidCallError } from '@metrics/core';
import { didYouMeanHint, LocalRunReader, type LocalRunContents, type MetricPoint, type RunStatus, type RunSummary } from '@metrics/core/backend';
import { itemsToObject, readWandbFile, type Decoded } from '../log/records.js';

/** A W&B run read from its local directory: the shared summary plus where it lives. */
export interface WandbRun extends RunSummary {
  /** The run directory (`…/wandb/offline-run-<stamp>-<id>` or `run-<stamp>-<id>`). */
  dir: string;
  /** Its `.wandb` transaction log. */
  file: string;
  project?: string;
  group?: string;
  /** W&B's job type (child runs: the facade's `child(name)` puts folds and trials in one group by job type). */
  jobType?: string;
  /** `offline` for `offline-run-*` directories (not synced by themselves), else `online`. */
  mode: 'offline' | 'online';
  /** The exit code of the exit record; absent while running (or after a crash). */
  exitCode?: number;
  /** Damaged or torn records skipped while reading (`metrics-wandb` does not fail on them). */
  damaged: number;
}

/** `offline-run-20261207_151430-<id>` / `run-20261207_151430-<id>`. */
const RUN_DIR = /^(offline-)?run-\d{8}_\d{6}-(.+)$/;

/**
 * Reads the runs of a W&B directory back (offline runs, and online runs' local logs) from their `.wandb`
 * transaction logs, with the same shape as the MLflow and TensorBoard readers: params from the config,
 * tags (`key:value` split back into a record), status from the exit record, and metric histories by the
 * run's step metric. `dir` is what `WANDB_DIR`/`dir` was (its `wandb/` is read) or the `wandb/` directory itself.
 */
export class WandbReader extends LocalRunReader<WandbRun> {
  protected readonly runNoun = 'W&B run';
  protected readonly metricNoun = 'metric';

  constructor(readonly dir: string) {
    super();
  }

  async listRuns(): Promise<WandbRun[]> {
    return this.runDirs().map((d) => readRun(d).run);
  }

  /** A run by id, directory name or (when only one run has it) display name. */
  protected contents(run: string): LocalRunContents<WandbRun> {
    const all = this.runDirs().map(readRun);
    const hit =
      all.find((c) => c.run.id === run) ??
      all.find((c) => basename(c.run.dir) === run) ??
      (all.filter((c) => c.run.name === run).length === 1 ? all.find((c) => c.run.name === run) : undefined);
    if (hit) return hit;
    const named = all.filter((c) => c.run.name === run);
    if (named.length > 1)
      throw new InvalidCallError('getRun', `${named.length} W&B runs are named "${run}" (${named.map((c) => c.run.id).join(', ')}); pass a run id`);
    const candidates = all.flatMap((c) => [c.run.id, c.run.name]);
    throw new InvalidCallError('getRun', `no W&B run "${run}" in ${this.dir}${didYouMeanHint(run, candidates)}`);
  }

  /** Run directories (with their `.wandb` file) under `<dir>/wandb/` or `<dir>/`, oldest first; `latest-run` links skipped. */
  private runDirs(): { dir: string; file: string; offline: boolean }[] {
    const roots = [join(this.dir, 'wandb'), this.dir];
    for (const root of roots) {
      let names: string[];
      try {
        names = readdirSync(root).sort();
      } catch {
        continue;
      }
      const out: { dir: string; file: string; offline: boolean }[] = [];
      for (const name of names) {
        const m = RUN_DIR.exec(name);
        if (!m) continue;
        const dir = join(root, name);
        if (!lstatSync(dir).isDirectory()) continue;
        const file = readdirSync(dir).find((f) => f.endsWith('.wandb'));
        if (file) out.push({ dir, file: join(dir, file), offline: m[1] !== undefined });
      }
      if (out.length > 0 || root === this.dir) return out;
    }
    return [];
  }
}

/** A reader of the W&B runs under `dir` (default: `WANDB_DIR`, else the current directory). */
export function createWandbReader(dir: string = process.env.WANDB_DIR || process.cwd()): WandbReader {
  return new WandbReader(dir);
}

const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function readRun(where: { dir: string; file: string; offline: boolean }): LocalRunContents<WandbRun> {
  const contents = readWandbFile(where.file);
  const run: WandbRun = {
    id: basename(where.dir).replace(RUN_DIR, '$2'),
    name: '',
    status: 'running',
    params: {},
    tags: {},
    latestMetrics: {},
    dir: where.dir,
    file: where.file,
    mode: where.offline ? 'offline' : 'online',
    damaged: contents.damage.length,
  };
  const history = new Map<string, MetricPoint[]>();
  let stepKey = '_step';
  let lastTimestamp = 0;
  const addConfig = (config: unknown) => {
    for (const [k, v] of Object.entries(itemsToObject((config as Decoded | undefined)?.update))) if (k !== '_wandb') run.params[k] = str(v);
  };
  for (const rec of contents.records) {
    const d = rec.data;
    switch (rec.type) {
      case 'run': {
        if (typeof d.run_id === 'string') run.id = d.run_id;
        if (typeof d.display_name === 'string') run.name = d.display_name;
        if (typeof d.project === 'string') run.project = d.project;
        if (typeof d.run_group === 'string' && d.run_group) run.group = d.run_group;
        if (typeof d.job_type === 'string' && d.job_type) run.jobType = d.job_type;
        const start = d.start_time as { seconds?: number; nanos?: number } | undefined;
        if (start?.seconds) run.startTime = start.seconds * 1000 + Math.round((start.nanos ?? 0) / 1e6);
        if (Array.isArray(d.tags)) run.tags = tagsRecord(d.tags as string[]);
        addConfig(d.config);
        break;
      }
      case 'config':
        addConfig(d);
        break;
      case 'metric':
        if (d.glob_name === '*' && typeof d.step_metric === 'string' && d.step_metric) stepKey = d.step_metric;
        break;
      case 'history': {
        const row = itemsToObject(d.item);
        const own = row[stepKey];
        const counter = row._step;
        const step = typeof own === 'number' ? own : typeof counter === 'number' ? counter : undefined;
        if (step === undefined) break;
        const timestamp = typeof row._timestamp === 'number' ? Math.round(row._timestamp * 1000) : 0;
        if (timestamp > lastTimestamp) lastTimestamp = timestamp;
        for (const [key, value] of Object.entries(row)) {
          if (key.startsWith('_') || key === stepKey || typeof value !== 'number') continue;
          const list = history.get(key) ?? [];
          list.push({ step, value, timestamp });
          history.set(key, list);
        }
        break;
      }
      case 'exit':
        run.exitCode = typeof d.exit_code === 'number' ? d.exit_code : 0;
        run.status = exitStatus(run.exitCode);
        if (lastTimestamp > 0) run.endTime = lastTimestamp;
        break;
    }
  }
  if (!run.name) run.name = run.id;
  for (const [key, points] of history) {
    points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    run.latestMetrics[key] = points[points.length - 1]!.value;
  }
  return { run, series: new Map([...history].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

/** Exit 0 finished, 128 + signal (SIGINT, SIGTERM, SIGKILL…) killed, anything else failed. */
function exitStatus(code: number): RunStatus {
  if (code === 0) return 'finished';
  return code > 128 && code < 160 ? 'killed' : 'failed';
}

/** W&B tags are strings; `key:value` (how `setTags` writes them) back to a record, a bare tag to `''`. */
function tagsRecord(tags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    const i = t.indexOf(':');
    if (i < 0) out[t] = '';
    else out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}
