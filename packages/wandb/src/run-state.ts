import type { ArtifactRecord, TrackingRecord } from '@metrics/core/backend';
import { numberJson, secondsJson, toJson } from './json.js';
import { audioValue, chartPreset, confusionRows, histogramValue, imageValue, prCurveRows, tableValue, type MediaFile } from './media/values.js';
import type { JsonItem } from './proto/records.js';
import { datasetArtifactRecord } from './artifacts/dataset.js';

/**
 * One history/summary key. The run keeps one per distinct key, so per-key work (the summary's last
 * value, "is this key in the current row", an encoder's pre-encoded key bytes) is a field access
 * instead of a map lookup or a string per value.
 */
export class KeySlot {
  /** Last value as JSON text, or undefined when it is the number `num` (its JSON is made when needed). */
  text: string | undefined = 'null';
  num = 0;
  /** Batch in which the value last changed (for the per-batch summary update). */
  changedIn = -1;
  /** Row that last received this key (a repeated key starts a new row). */
  inRow = -1;
  /** Encoders may cache the key's encoded form here (e.g. a protobuf `key` field). */
  encoded: Uint8Array | undefined = undefined;
  /** The key's number in messages to the offline writer thread (-1 until it was sent there). */
  wireId = -1;
  /** The key logged after this one last time: rows tend to repeat their keys in the same order. */
  next: KeySlot | undefined = undefined;
  constructor(readonly key: string) {}

  get json(): string {
    return this.text ?? numberJson(this.num);
  }
}

/** One history row: `_step` is our row counter, `stepMetric` carries the canonical step. */
export interface HistoryRow {
  /** W&B `_step`: strictly increasing row counter. */
  step: number;
  /** The canonical step of every value in the row. */
  canonicalStep: number;
  wallTime: number;
  /** `_runtime` in milliseconds (wall time − run start, ≥ 0). */
  runtimeMs: number;
  /**
   * The row's keys are `keys[start…end)` and `values[i]` belongs to `keys[i]`: JSON text, or null for
   * a scalar, which is then the next of `numbers` (from `numbersAt` on; the writer makes its JSON, all
   * of a batch's at once). The arrays are the batch's, shared by its rows.
   */
  keys: readonly KeySlot[];
  values: readonly (string | null)[];
  start: number;
  end: number;
  numbers: readonly number[];
  numbersAt: number;
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
  /** Every number among the rows' values, in row order (a writer converts them in one call). */
  numbers: number[];
  /** Records that could not be turned into values (e.g. malformed histogram buckets); left out of the rows. */
  skipped: SkippedRecord[];
  /** Tags set by this batch (`setTags`; later keys win), or undefined. */
  tags?: Record<string, string>;
  /** The run's notes set by this batch (`setNote`; the last one), or undefined. */
  note?: string;
  /** Artifacts logged by this batch, in order, or undefined (each exporter prepares and sends them its way). */
  artifacts?: ArtifactRecord[];
}

export interface SkippedRecord {
  record: TrackingRecord;
  error: Error;
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
  /** Summary keys in first-set order (the order wandb-summary.json and the final summary list them). */
  private readonly slots = new Map<string, KeySlot>();
  readonly config = new Map<string, unknown>();
  /** Chart presets by key (`_wandb.visualize` in the run config), for `logPrCurve` and `logConfusionMatrix`. */
  readonly visualize = new Map<string, unknown>();
  lastWallTime: number;
  private batchNo = 0;
  private rowNo = 0;
  private lastSlot: KeySlot | undefined;

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

  private slot(key: string): KeySlot {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = new KeySlot(key);
      this.slots.set(key, s);
    }
    return s;
  }

  /** Sets a summary value from JSON text (e.g. a resumed run's summary). */
  setSummaryJson(key: string, json: string): void {
    this.slot(key).text = json;
  }

  /** The summary's keys and JSON values, in first-set order. */
  *summaryEntries(): IterableIterator<[string, string]> {
    for (const s of this.slots.values()) yield [s.key, s.json];
  }

  apply(batch: readonly TrackingRecord[]): BatchEffects {
    const keys: KeySlot[] = [];
    const values: (string | null)[] = [];
    const numbers: number[] = [];
    const effects: BatchEffects = { rows: [], config: [], summary: [], system: [], media: [], numbers, skipped: [] };
    const batchNo = ++this.batchNo;
    const changed: KeySlot[] = [];
    const rows = effects.rows;
    let row: HistoryRow | undefined;
    let rowNo = this.rowNo;
    let previous = this.lastSlot;
    const sys = this.options.systemPrefix;
    const sysFirst = sys.charCodeAt(0); // NaN for '': never matches
    const startTime = this.options.startTime;

    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      let value: string | null;
      let num = 0;
      /** The history key, when it is not the record's name (a chart's table). */
      let historyKey: string | undefined;
      // One record that can't be encoded is skipped (and reported by the exporter); the rest of the batch goes on.
      try {
        switch (r.kind) {
          case 'scalar':
            if (r.name.charCodeAt(0) === sysFirst && r.name.startsWith(sys)) {
              const key = `system.${r.name.slice(sys.length)}`;
              effects.system.push({ wallTime: r.wallTime, items: [{ key, valueJson: numberJson(r.value) }] });
              continue;
            }
            value = null; // numbers stay unboxed doubles: no object per value
            num = r.value;
            break;
          case 'histogram':
            value = toJson(histogramValue(r));
            break;
          case 'image': {
            const image = imageValue(r);
            effects.media.push(image.file);
            value = toJson(image.value);
            break;
          }
          case 'text':
            value = JSON.stringify(r.text);
            break;
          case 'table': {
            const table = tableValue(r.name, r.step, r.columns, r.rows);
            effects.media.push(table.file);
            value = toJson(table.value);
            break;
          }
          case 'audio': {
            const audio = audioValue(r);
            effects.media.push(audio.file);
            value = toJson(audio.value);
            break;
          }
          case 'pr_curve':
          case 'confusion_matrix': {
            // As wandb.plot does: the table under `<name>_table`, the chart preset in the config.
            const { columns, rows } = r.kind === 'pr_curve' ? prCurveRows(r) : confusionRows(r);
            const table = tableValue(`${r.name}_table`, r.step, columns, rows);
            effects.media.push(table.file);
            value = toJson(table.value);
            if (!this.visualize.has(r.name)) {
              const preset = chartPreset(r.name, r.kind);
              this.visualize.set(r.name, preset);
              effects.config.push({ key: `_wandb.visualize.${r.name}`, nestedKey: ['_wandb', 'visualize', r.name], valueJson: toJson(preset) });
            }
            historyKey = `${r.name}_table`;
            break;
          }
          case 'tags':
            effects.tags = { ...effects.tags, ...r.tags };
            continue;
          case 'note':
            effects.note = r.text;
            continue;
          case 'artifact':
            (effects.artifacts ??= []).push(r);
            continue;
          case 'dataset':
            // A data set the run used: a `dataset` artifact (a reference to its source), an input in the run's lineage.
            (effects.artifacts ??= []).push(datasetArtifactRecord(r, r.wallTime));
            continue;
          case 'config':
            for (const [k, v] of Object.entries(r.config)) this.setConfig(k, v, effects);
            continue;
          case 'hparams':
            for (const [k, v] of Object.entries(r.params)) this.setConfig(k, v, effects);
            continue;
          case 'summary':
            for (const [k, v] of Object.entries(r.values)) {
              const slot = this.slot(k);
              slot.text = toJson(v);
              if (slot.changedIn !== batchNo) {
                slot.changedIn = batchNo;
                changed.push(slot);
              }
            }
            continue;
          default:
            continue;
        }
      } catch (error) {
        effects.skipped.push({ record: r, error: error instanceof Error ? error : new Error(String(error)) });
        continue;
      }
      // A history value: it joins the current row unless its step differs or the row has its key.
      // Its slot is usually the one that followed the previous key last time (no map lookup then).
      const name = historyKey ?? r.name;
      let slot = previous?.next;
      if (slot === undefined || slot.key !== name) {
        slot = this.slot(name);
        if (previous !== undefined) previous.next = slot;
      }
      previous = slot;
      const step = r.step;
      const wallTime = r.wallTime;
      if (row === undefined || row.canonicalStep !== step || slot.inRow === rowNo) {
        if (row !== undefined) row.end = keys.length;
        row = { step: 0, canonicalStep: step, wallTime, runtimeMs: 0, keys, values, start: keys.length, end: 0, numbers, numbersAt: numbers.length };
        rows.push(row);
        rowNo++;
      } else if (wallTime > row.wallTime) row.wallTime = wallTime;
      keys.push(slot);
      values.push(value);
      if (value === null) numbers.push(num);
      slot.inRow = rowNo;
      slot.text = value ?? undefined;
      slot.num = num;
      if (slot.changedIn !== batchNo) {
        slot.changedIn = batchNo;
        changed.push(slot);
      }
    }
    if (row !== undefined) row.end = keys.length;
    this.lastSlot = previous;
    this.rowNo = rowNo + 1; // rows of the next batch never match a mark set here

    if (rows.length > 0) {
      for (const p of rows) {
        p.step = this.nextRow++;
        p.runtimeMs = Math.max(0, p.wallTime - startTime);
        if (p.wallTime > this.lastWallTime) this.lastWallTime = p.wallTime;
      }
      // The bookkeeping columns' summary is the last row's (set in this order, as the rows add them).
      const last = rows[rows.length - 1]!;
      const values = [String(last.canonicalStep), String(last.step), secondsJson(last.runtimeMs), secondsJson(last.wallTime)];
      const keys = [this.options.stepMetric, '_step', '_runtime', '_timestamp'];
      for (let i = 0; i < 4; i++) {
        const slot = this.slot(keys[i]!);
        slot.text = values[i]!;
        if (slot.changedIn !== batchNo) {
          slot.changedIn = batchNo;
          changed.push(slot);
        }
      }
    }
    for (const slot of changed) effects.summary.push({ key: slot.key, valueJson: slot.json });
    return effects;
  }

  private setConfig(key: string, value: unknown, effects: BatchEffects): void {
    this.config.set(key, value);
    effects.config.push({ key, valueJson: toJson(value) });
  }

  /** The whole summary plus `_wandb.runtime` (integer seconds), as wandb writes at finish. */
  finalSummary(endTime: number): JsonItem[] {
    const items: JsonItem[] = [];
    for (const [key, valueJson] of this.summaryEntries()) items.push({ key, valueJson });
    items.push({ key: '_wandb.runtime', nestedKey: ['_wandb', 'runtime'], valueJson: String(Math.floor(this.runtimeSeconds(endTime))) });
    return items;
  }

  /** The summary as one JSON object (wandb-summary.json). */
  summaryJson(endTime?: number): string {
    const parts: string[] = [];
    for (const [key, valueJson] of this.summaryEntries()) parts.push(`${JSON.stringify(key)}:${valueJson}`);
    if (endTime !== undefined) parts.push(`"_wandb":{"runtime":${Math.floor(this.runtimeSeconds(endTime))}}`);
    return `{${parts.join(',')}}`;
  }
}

/** A row's items as JSON text: the logged values, then the step column, `_step`, `_runtime`, `_timestamp`. */
export function rowItems(row: HistoryRow, stepMetric: string): JsonItem[] {
  const items: JsonItem[] = [];
  let n = row.numbersAt;
  for (let i = row.start; i < row.end; i++) items.push({ key: row.keys[i]!.key, valueJson: row.values[i] ?? numberJson(row.numbers[n++]!) });
  items.push(
    { key: stepMetric, valueJson: String(row.canonicalStep) },
    { key: '_step', valueJson: String(row.step) },
    { key: '_runtime', valueJson: secondsJson(row.runtimeMs) },
    { key: '_timestamp', valueJson: secondsJson(row.wallTime) },
  );
  return items;
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
