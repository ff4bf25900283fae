import {
  ExitField,
  FilesField,
  FilesItemField,
  HeaderField,
  HistoryField,
  HistoryStepField,
  ItemField,
  MetricField,
  MetricOptionsField,
  OutputRawField,
  RecordField,
  RunField,
  StatsField,
  TimestampField,
  UpdateField,
  VersionInfoField,
} from './fields.js';
import { numberJson, secondsJson, type JsonNumberBatch } from '../json.js';
import { DecimalDigits, type ProtoWriter } from './writer.js';

/** A key (dotted paths stay one key, as W&B does) and its value as JSON text. */
export interface JsonItem {
  key: string;
  /** When set, written as `nested_key` instead of `key` (e.g. `['_wandb', 'runtime']`). */
  nestedKey?: readonly string[];
  valueJson: string;
}

export interface RunFields {
  runId: string;
  entity?: string;
  project?: string;
  config?: readonly JsonItem[];
  group?: string;
  jobType?: string;
  displayName?: string;
  notes?: string;
  tags?: readonly string[];
  host?: string;
  startingStep?: number;
  /** Milliseconds since the epoch. */
  startTime: number;
  resumed?: boolean;
}

export interface FileEntry {
  path: string;
  policy: number;
  type: number;
}

function timestamp(w: ProtoWriter, field: number, ms: number): void {
  w.begin(field);
  const seconds = Math.floor(ms / 1000);
  w.optInt(TimestampField.seconds, seconds);
  w.optInt(TimestampField.nanos, Math.round((ms - seconds * 1000) * 1e6));
  w.end();
}

/** Metric names repeat on every row: their encoded `key` field is built once and copied after. */
const keyFieldCache = new Map<string, Uint8Array>();
const KEY_CACHE_LIMIT = 10_000;

export function keyField(key: string): Uint8Array {
  let bytes = keyFieldCache.get(key);
  if (bytes) return bytes;
  bytes = encodeKeyField(key);
  if (keyFieldCache.size < KEY_CACHE_LIMIT) keyFieldCache.set(key, bytes);
  return bytes;
}

/** An item's `key` field (tag, length, UTF-8), ready to copy; nothing for '' (proto3 omits it). */
function encodeKeyField(key: string): Uint8Array {
  if (key === '') return new Uint8Array(0);
  const body = Buffer.from(key, 'utf8');
  const header: number[] = [(ItemField.key << 3) | 2];
  for (let n = body.length; ; n = Math.floor(n / 0x80)) {
    if (n < 0x80) {
      header.push(n);
      break;
    }
    header.push((n % 0x80) | 0x80);
  }
  return Buffer.concat([Uint8Array.from(header), body]);
}

function items(w: ProtoWriter, field: number, list: readonly JsonItem[]): void {
  for (let i = 0; i < list.length; i++) {
    const it = list[i]!;
    w.begin(field);
    if (it.nestedKey) for (const k of it.nestedKey) w.string(ItemField.nestedKey, k);
    else w.raw(keyField(it.key));
    w.optString(ItemField.valueJson, it.valueJson);
    w.end();
  }
}

/** What `encodeHistoryRow` reads of a row: a `HistoryRow` of the run state, or one rebuilt by the writer thread. */
export interface HistoryRowView {
  step: number;
  canonicalStep: number;
  wallTime: number;
  runtimeMs: number;
  /** The key of each value; `encoded` caches its encoded `key` field. */
  keys: ArrayLike<{ readonly key: string; encoded: Uint8Array | undefined }>;
  /** JSON text per value, or null/undefined for a number (the next of `numbers`). */
  values: ArrayLike<string | null | undefined>;
  start: number;
  end: number;
  numbers: ArrayLike<number>;
  numbersAt: number;
}

/** Each encoder writes one whole `Record` (the envelope with `num` and one `record_type`). */
export function encodeHeader(w: ProtoWriter, num: number, producer?: string): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.header);
  if (producer) {
    w.begin(HeaderField.versionInfo);
    w.optString(VersionInfoField.producer, producer);
    w.string(VersionInfoField.minConsumer, '0.40.0');
    w.end();
  }
  w.end();
}

export function encodeRun(w: ProtoWriter, num: number, run: RunFields): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.run);
  w.optString(RunField.runId, run.runId);
  w.optString(RunField.entity, run.entity ?? '');
  w.optString(RunField.project, run.project ?? '');
  if (run.config && run.config.length > 0) {
    w.begin(RunField.config);
    items(w, UpdateField.update, run.config);
    w.end();
  }
  w.optString(RunField.runGroup, run.group ?? '');
  w.optString(RunField.jobType, run.jobType ?? '');
  w.optString(RunField.displayName, run.displayName ?? '');
  w.optString(RunField.notes, run.notes ?? '');
  for (const t of run.tags ?? []) w.string(RunField.tags, t);
  w.optString(RunField.host, run.host ?? '');
  w.optInt(RunField.startingStep, run.startingStep ?? 0);
  timestamp(w, RunField.startTime, run.startTime);
  w.optBool(RunField.resumed, run.resumed ?? false);
  w.end();
}

export function encodeHistory(w: ProtoWriter, num: number, step: number, row: readonly JsonItem[]): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.history);
  items(w, HistoryField.item, row);
  w.begin(HistoryField.step);
  w.optInt(HistoryStepField.num, step);
  w.end();
  w.end();
}

const STEP_KEY = keyField('_step');
const RUNTIME_KEY = keyField('_runtime');
const TIMESTAMP_KEY = keyField('_timestamp');
// The last integer of each bookkeeping column, as digits (see DecimalDigits).
const columns = { step: new DecimalDigits(), row: new DecimalDigits(), runtime: new DecimalDigits(), timestamp: new DecimalDigits() };

/** A bookkeeping item whose value is `ms / 1000` as `secondsJson` writes it (no string when it can). */
function secondsItem(w: ProtoWriter, key: Uint8Array, digits: DecimalDigits, ms: number): void {
  if (Number.isSafeInteger(ms) && ms >= 0) {
    const whole = Math.floor(ms / 1000);
    return w.keyDecimalItem(HistoryField.item, key, digits, whole, ms - whole * 1000);
  }
  w.begin(HistoryField.item);
  w.raw(key);
  w.string(ItemField.valueJson, secondsJson(ms));
  w.end();
}

/**
 * The `_runtime` and `_timestamp` items. Rows logged within the same millisecond (most rows of a fast
 * loop) have the same two items: their bytes are kept and copied instead of made again.
 */
const lastTime = { runtimeMs: Number.NaN, wallTime: Number.NaN, bytes: new Uint8Array(0) };
function timeItems(w: ProtoWriter, runtimeMs: number, wallTime: number): void {
  if (runtimeMs === lastTime.runtimeMs && wallTime === lastTime.wallTime) {
    w.raw(lastTime.bytes);
    return;
  }
  const from = w.length;
  secondsItem(w, RUNTIME_KEY, columns.runtime, runtimeMs);
  secondsItem(w, TIMESTAMP_KEY, columns.timestamp, wallTime);
  lastTime.runtimeMs = runtimeMs;
  lastTime.wallTime = wallTime;
  lastTime.bytes = new Uint8Array(w.buf.subarray(from, w.length)); // a copy: the writer's buffer is reused
}

/** A bookkeeping item whose value is `String(n)` (no string for a non-negative integer). */
function integerItem(w: ProtoWriter, key: Uint8Array, digits: DecimalDigits, n: number): void {
  if (Number.isSafeInteger(n) && n >= 0) return w.keyDecimalItem(HistoryField.item, key, digits, n);
  w.begin(HistoryField.item);
  w.raw(key);
  w.string(ItemField.valueJson, String(n));
  w.end();
}

/**
 * One history row: the same bytes as `encodeHistory(w, num, row.step, rowItems(row, stepMetric))`,
 * written without an object or string per value. Each slot's key field is encoded once and kept on the
 * slot; the text of the row's numbers comes, in order, from `texts` (the batch's numbers as JSON text).
 */
export function encodeHistoryRow(w: ProtoWriter, num: number, row: HistoryRowView, stepKeyField: Uint8Array, texts: JsonNumberBatch): void {
  w.optInt(RecordField.num, num);
  const history = w.beginWide(RecordField.history);
  const keys = row.keys;
  const values = row.values;
  const nums = row.numbers;
  let n = row.numbersAt;
  for (let i = row.start; i < row.end; i++) {
    const slot = keys[i]!;
    const text = values[i];
    const key = slot.encoded ?? (slot.encoded = encodeKeyField(slot.key));
    if (text == null) {
      const v = nums[n++]!;
      if (v - v === 0) {
        if (texts.at >= texts.end) throw new Error('encodeHistoryRow: more numbers than were loaded');
        texts.at = w.keyTokenItem(HistoryField.item, key, texts.bytes, texts.at);
        continue;
      }
      texts.skip();
    }
    w.begin(HistoryField.item);
    w.raw(key);
    // JSON has no NaN/Infinity: a non-finite number gets W&B's bare token
    w.string(ItemField.valueJson, text ?? numberJson(nums[n - 1]!));
    w.end();
  }
  endHistoryRow(w, history, row, stepKeyField);
}

/** What a history row holds besides its values' items. */
export interface HistoryRowColumns {
  step: number;
  canonicalStep: number;
  wallTime: number;
  runtimeMs: number;
}

/**
 * One history row whose values' items are already encoded (`items[from…to)`, see `historyItems`): the same
 * bytes as `encodeHistoryRow` writes for them.
 */
export function encodeHistoryItemsRow(
  w: ProtoWriter,
  num: number,
  row: HistoryRowColumns,
  items: Uint8Array,
  from: number,
  to: number,
  stepKeyField: Uint8Array,
): void {
  w.optInt(RecordField.num, num);
  const history = w.beginWide(RecordField.history);
  w.rawRange(items, from, to);
  endHistoryRow(w, history, row, stepKeyField);
}

/** A history row's bookkeeping items (the step column, `_step`, `_runtime`, `_timestamp`) and its step; closes it. */
function endHistoryRow(w: ProtoWriter, history: number, row: HistoryRowColumns, stepKeyField: Uint8Array): void {
  integerItem(w, stepKeyField, columns.step, row.canonicalStep);
  integerItem(w, STEP_KEY, columns.row, row.step);
  timeItems(w, row.runtimeMs, row.wallTime);
  w.begin(HistoryField.step);
  w.optInt(HistoryStepField.num, row.step);
  w.end();
  w.endWide(history);
}

export function encodeSummary(w: ProtoWriter, num: number, update: readonly JsonItem[]): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.summary);
  items(w, UpdateField.update, update);
  w.end();
}

export function encodeConfig(w: ProtoWriter, num: number, update: readonly JsonItem[]): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.config);
  items(w, UpdateField.update, update);
  w.end();
}

/** System metrics (`stats_type` 0 = SYSTEM). */
export function encodeStats(w: ProtoWriter, num: number, timeMs: number, stats: readonly JsonItem[]): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.stats);
  timestamp(w, StatsField.timestamp, timeMs);
  items(w, StatsField.item, stats);
  w.end();
}

export function encodeFiles(w: ProtoWriter, num: number, files: readonly FileEntry[]): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.files);
  for (const f of files) {
    w.begin(FilesField.files);
    w.optString(FilesItemField.path, f.path);
    w.optInt(FilesItemField.policy, f.policy);
    w.optInt(FilesItemField.type, f.type);
    w.end();
  }
  w.end();
}

/** Console output; `stream` 1 = stdout, 0 = stderr. `line` should end with a newline. */
export function encodeOutputRaw(w: ProtoWriter, num: number, stream: 0 | 1, timeMs: number, line: string): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.outputRaw);
  w.optInt(OutputRawField.outputType, stream);
  timestamp(w, OutputRawField.timestamp, timeMs);
  w.optString(OutputRawField.line, line);
  w.end();
}

/** `define_metric`: either a named metric or a glob, optionally with a step metric. */
export function encodeMetric(w: ProtoWriter, num: number, def: { name?: string; globName?: string; stepMetric?: string; stepSync?: boolean }): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.metric);
  w.optString(MetricField.name, def.name ?? '');
  w.optString(MetricField.globName, def.globName ?? '');
  w.optString(MetricField.stepMetric, def.stepMetric ?? '');
  w.begin(MetricField.options);
  w.optBool(MetricOptionsField.stepSync, def.stepSync ?? false);
  w.optBool(MetricOptionsField.defined, true);
  w.end();
  w.end();
}

export function encodeExit(w: ProtoWriter, num: number, exitCode: number, runtimeSeconds: number): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.exit);
  w.optInt(ExitField.exitCode, exitCode);
  w.optInt(ExitField.runtime, runtimeSeconds);
  w.end();
}

export function encodeFinal(w: ProtoWriter, num: number): void {
  w.optInt(RecordField.num, num);
  w.begin(RecordField.final);
  w.end();
}
