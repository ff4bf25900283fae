import type { TrackingRecord } from '@metrics/core';
import { numberJson, secondsJson, toJson } from './json.js';
import { histogramValue, imageValue, type MediaFile } from './media/values.js';
import type { JsonItem } from './proto/records.js';

/** One history row: `_step` is our row counter, `stepMetric` carries the canonical step. */
export interface HistoryRow {
  /** W&B `_step`: strictly increasing row counter. */
  step: number;
  /** The canonical step of every value in the row. */
  canonicalStep: number;
  wallTime: number;
  items: JsonItem[];
}

/** Scalars named under this prefix go to system metrics, not history. */
export interface SystemSample {
  wallTime: number;
  items: JsonItem[];
}

export interface BatchEffects {
  rows: HistoryRow[];
  config: JsonItem[];
  /** Summary keys changed by this batch (last value of each). */
  summary: JsonItem[];
  system: SystemSample[];
  media: MediaFile[];
}

export interface RunStateOptions {
  startTime: number;
  /** History column that carries our canonical step; defined as the x-axis of every metric. */
  stepMetric: string;
  /** First `_step` (resume: the last uploaded `_step` + 1). */
  firstRow?: number;
  /** Prefix that marks system metrics (`system/cpu` → `system.cpu` stats). '' disables. */
  systemPrefix: string;
}

/**
 * Turns batches of tracking records into W&B history rows, summary and config updates.
 *
 * Steps: W&B drops a row whose `_step` is lower than the last one. We never hand it our canonical step
 * as `_step`: each row gets the next row number, and the canonical step goes into a column
 * (`global_step` by default) that a metric definition makes the x-axis of every chart. Values logged at
 * an earlier canonical step (validation after training, resumed runs) become new rows and are kept.
 */
export class RunState {
  private nextRow: number;
  readonly summary = new Map<string, string>();
  readonly config = new Map<string, unknown>();
  lastWallTime: number;

  constructor(private readonly options: RunStateOptions) {
    this.nextRow = options.firstRow ?? 0;
    this.lastWallTime = options.startTime;
  }

  get rowsWritten(): number {
    return this.nextRow;
  }

  runtimeSeconds(wallTime: number): number {
    return Math.max(0, (wallTime - this.options.startTime) / 1000);
  }

  apply(batch: readonly TrackingRecord[]): BatchEffects {
    const effects: BatchEffects = { rows: [], config: [], summary: [], system: [], media: [] };
    const changed = new Set<string>();
    let row: PendingRow | undefined;
    const pending: PendingRow[] = [];
    const sys = this.options.systemPrefix;
    const summary = this.summary;

    const put = (step: number, wallTime: number, key: string, json: string) => {
      if (!row || row.canonicalStep !== step || rowHas(row, key)) {
        row = { canonicalStep: step, wallTime, items: [], keys: undefined };
        pending.push(row);
      }
      if (wallTime > row.wallTime) row.wallTime = wallTime;
      row.items.push({ key, valueJson: json });
      row.keys?.add(key);
      summary.set(key, json);
      changed.add(key);
    };

    for (const r of batch) {
      switch (r.kind) {
        case 'scalar':
          if (sys && r.name.startsWith(sys)) {
            const key = `system.${r.name.slice(sys.length)}`;
            effects.system.push({ wallTime: r.wallTime, items: [{ key, valueJson: numberJson(r.value) }] });
          } else put(r.step, r.wallTime, r.name, numberJson(r.value));
          break;
        case 'histogram':
          put(r.step, r.wallTime, r.name, toJson(histogramValue(r)));
          break;
        case 'image': {
          const { value, file } = imageValue(r);
          effects.media.push(file);
          put(r.step, r.wallTime, r.name, toJson(value));
          break;
        }
        case 'text':
          put(r.step, r.wallTime, r.name, JSON.stringify(r.text));
          break;
        case 'config':
          for (const [k, v] of Object.entries(r.config)) this.setConfig(k, v, effects);
          break;
        case 'hparams':
          for (const [k, v] of Object.entries(r.params)) this.setConfig(k, v, effects);
          break;
        case 'summary':
          for (const [k, v] of Object.entries(r.values)) {
            const json = toJson(v);
            this.summary.set(k, json);
            changed.add(k);
          }
          break;
        case 'artifact':
          break;
      }
    }

    for (const p of pending) {
      const step = this.nextRow++;
      const runtime = secondsJson(Math.max(0, p.wallTime - this.options.startTime));
      const timestamp = secondsJson(p.wallTime);
      const items = p.items;
      items.push(
        { key: this.options.stepMetric, valueJson: String(p.canonicalStep) },
        { key: '_step', valueJson: String(step) },
        { key: '_runtime', valueJson: runtime },
        { key: '_timestamp', valueJson: timestamp },
      );
      effects.rows.push({ step, canonicalStep: p.canonicalStep, wallTime: p.wallTime, items });
      if (p.wallTime > this.lastWallTime) this.lastWallTime = p.wallTime;
      this.summary.set(this.options.stepMetric, String(p.canonicalStep));
      this.summary.set('_step', String(step));
      this.summary.set('_runtime', runtime);
      this.summary.set('_timestamp', timestamp);
    }
    if (effects.rows.length > 0) for (const k of [this.options.stepMetric, '_step', '_runtime', '_timestamp']) changed.add(k);
    for (const key of changed) effects.summary.push({ key, valueJson: this.summary.get(key)! });
    return effects;
  }

  private setConfig(key: string, value: unknown, effects: BatchEffects): void {
    this.config.set(key, value);
    effects.config.push({ key, valueJson: toJson(value) });
  }

  /** The whole summary plus `_wandb.runtime` (integer seconds), as wandb writes at finish. */
  finalSummary(endTime: number): JsonItem[] {
    const items: JsonItem[] = [];
    for (const [key, valueJson] of this.summary) items.push({ key, valueJson });
    items.push({ key: '_wandb.runtime', nestedKey: ['_wandb', 'runtime'], valueJson: String(Math.floor(this.runtimeSeconds(endTime))) });
    return items;
  }

  /** The summary as one JSON object (wandb-summary.json). */
  summaryJson(endTime?: number): string {
    const parts: string[] = [];
    for (const [key, valueJson] of this.summary) parts.push(`${JSON.stringify(key)}:${valueJson}`);
    if (endTime !== undefined) parts.push(`"_wandb":{"runtime":${Math.floor(this.runtimeSeconds(endTime))}}`);
    return `{${parts.join(',')}}`;
  }
}

interface PendingRow {
  canonicalStep: number;
  wallTime: number;
  items: JsonItem[];
  /** Built once a row grows past a few keys, to keep the duplicate check cheap. */
  keys: Set<string> | undefined;
}

/** True when the row already holds `key` (then the value starts a new row: nothing is overwritten). */
function rowHas(row: PendingRow, key: string): boolean {
  if (row.keys) return row.keys.has(key);
  const items = row.items;
  for (let i = 0; i < items.length; i++) if (items[i]!.key === key) return true;
  if (items.length >= 16) row.keys = new Set(items.map((x) => x.key));
  return false;
}

/** A history row as one JSON line (wandb-history.jsonl). */
export function rowJson(items: readonly JsonItem[]): string {
  let out = '{';
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    out += (i ? ',' : '') + JSON.stringify(it.key) + ':' + it.valueJson;
  }
  return out + '}';
}

/** config.yaml in wandb's layout (`key:\n  value: …`); JSON flow values are valid YAML. */
export function configYaml(config: ReadonlyMap<string, unknown>, wandbMeta?: Record<string, unknown>): string {
  let out = '';
  if (wandbMeta) out += `_wandb:\n  value: ${toJson(wandbMeta)}\n`;
  for (const [k, v] of config) out += `${JSON.stringify(k)}:\n  value: ${toJson(v)}\n`;
  return out;
}

/** Config for GraphQL: `{"key":{"value":v},…}` as a JSON string. */
export function wrappedConfigJson(config: ReadonlyMap<string, unknown>, wandbMeta?: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of config) parts.push(`${JSON.stringify(k)}:{"value":${toJson(v)}}`);
  if (wandbMeta) parts.push(`"_wandb":{"value":${toJson(wandbMeta)}}`);
  return `{${parts.join(',')}}`;
}
