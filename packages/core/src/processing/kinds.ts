import { z } from 'zod';
import type { AudioData, ConfusionMatrixData, PrCurveData, TableCell, TableData } from '../spec.js';
import { encodeWav } from '../media/wav.js';
import { confusionCounts, prCurvePoints, type PrCurvePoints } from './curves.js';

/**
 * The payloads of the structured kinds (`logTable`, `logPrCurve`, `logConfusionMatrix`, `logAudio`,
 * `setTags`, `setNote`), checked at the boundary with zod and copied (the caller may reuse its arrays).
 * Each check returns the record's payload, or the problem (bad data: the tracker's validation policy
 * decides whether that throws or warns and skips).
 */

export type Checked<T> = { ok: true; value: T; notes: string[] } | { ok: false; problem: string };

/** W&B's limit for a table logged to history; the other backends take it too. */
export const MAX_TABLE_ROWS = 10_000;
export const MAX_TABLE_COLUMNS = 1_000;
/** MLflow's tag value limit (8000 characters); W&B notes take more, but one limit keeps backends alike. */
export const MAX_TAG_VALUE = 8_000;
export const MAX_NOTE = 65_536;
export const MAX_CLASSES = 1_000;
/** About an hour of CD-quality stereo (a 635 MB WAV): beyond that, log an artifact. */
export const MAX_AUDIO_SAMPLES = 2 ** 28;

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** A bad value in a message: short, and never throwing (bigint, symbols, objects without a prototype). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : 'an object';
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  if (Array.isArray(value)) return true;
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

const arrayLike = z.custom<ArrayLike<unknown>>(isArrayLike, 'must be an array or typed array');

/** zod's number refuses NaN and ±Infinity; a cell takes them (and logs them as null). */
const cellSchema = z.custom<TableCell>(
  (v) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
  'a cell must be a string, number, boolean or null',
);

const tableSchema = z
  .object({
    columns: z.array(z.string().min(1, 'a column name must not be empty').max(250)).min(1, 'a table needs at least one column').max(MAX_TABLE_COLUMNS),
    rows: z.array(z.array(cellSchema)).max(MAX_TABLE_ROWS, `at most ${MAX_TABLE_ROWS} rows`),
  })
  .superRefine((t, ctx) => {
    if (new Set(t.columns).size !== t.columns.length) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'column names must be unique' });
    const width = t.columns.length;
    const bad = t.rows.findIndex((r) => r.length !== width);
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['rows', bad], message: `has ${t.rows[bad]!.length} cells, the table ${width} columns` });
  });

/** Columns and rows of JSON scalars; a non-finite number becomes null (JSON has none; noted once). */
export function checkTable(table: unknown): Checked<TableData> {
  const parsed = tableSchema.safeParse(table);
  if (!parsed.success) return { ok: false, problem: firstIssue(parsed.error) };
  const notes: string[] = [];
  let nonFinite = 0;
  const rows = parsed.data.rows.map((row) =>
    row.map((cell): TableCell => {
      if (typeof cell === 'number' && !Number.isFinite(cell)) {
        nonFinite++;
        return null;
      }
      return cell;
    }),
  );
  if (nonFinite > 0) notes.push(`${nonFinite} NaN/Infinity cells are logged as null (a table is JSON)`);
  return { ok: true, value: { columns: parsed.data.columns, rows }, notes };
}

const prCurveSchema = z.strictObject({
  labels: arrayLike,
  predictions: arrayLike,
  numThresholds: z.number().int().min(2).max(10_000).optional(),
});

export function checkPrCurve(data: unknown): Checked<PrCurvePoints> {
  const parsed = prCurveSchema.safeParse(data);
  if (!parsed.success) return { ok: false, problem: firstIssue(parsed.error) };
  const { labels, predictions } = parsed.data as PrCurveData;
  if (labels.length !== predictions.length)
    return { ok: false, problem: `labels has ${labels.length} entries, predictions ${predictions.length}; they must match` };
  if (labels.length === 0) return { ok: false, problem: 'a PR curve needs at least one example' };
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1 && l !== true && l !== false) return { ok: false, problem: `labels.${i}: a label must be 0, 1, true or false (got ${shown(l)})` };
    const p = predictions[i];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      return { ok: false, problem: `predictions.${i}: a prediction must be a probability in [0, 1] (got ${shown(p)})` };
  }
  return { ok: true, value: prCurvePoints(labels, predictions, parsed.data.numThresholds ?? 201), notes: [] };
}

const confusionSchema = z.strictObject({
  classNames: z
    .array(z.string().min(1, 'a class name must not be empty').max(250))
    .min(1)
    .max(MAX_CLASSES)
    .refine((names) => new Set(names).size === names.length, 'class names must be unique'),
  actual: arrayLike,
  predicted: arrayLike,
});

export function checkConfusionMatrix(data: unknown): Checked<{ classNames: string[]; counts: number[][] }> {
  const parsed = confusionSchema.safeParse(data);
  if (!parsed.success) return { ok: false, problem: firstIssue(parsed.error) };
  const { classNames, actual, predicted } = parsed.data as ConfusionMatrixData;
  if (actual.length !== predicted.length) return { ok: false, problem: `actual has ${actual.length} entries, predicted ${predicted.length}; they must match` };
  const byName = new Map(classNames.map((n, i) => [n, i]));
  const indexOf = (v: unknown): number | undefined =>
    typeof v === 'number' ? (Number.isInteger(v) && v >= 0 && v < classNames.length ? v : undefined) : typeof v === 'string' ? byName.get(v) : undefined;
  const a: number[] = [];
  const p: number[] = [];
  for (const [list, into, what] of [
    [actual, a, 'actual'],
    [predicted, p, 'predicted'],
  ] as const) {
    for (let i = 0; i < list.length; i++) {
      const index = indexOf(list[i]);
      if (index === undefined)
        return { ok: false, problem: `${what}.${i}: ${shown(list[i])} is neither a class index (0 … ${classNames.length - 1}) nor a class name` };
      into.push(index);
    }
  }
  return { ok: true, value: { classNames: [...classNames], counts: confusionCounts(classNames.length, a, p) }, notes: [] };
}

const audioSchema = z.strictObject({
  sampleRate: z.number().int().min(1).max(768_000),
  channels: z.number().int().min(1).max(64),
  samples: arrayLike,
});

export function checkAudio(audio: unknown): Checked<{ sampleRate: number; channels: number; frames: number; wav: Uint8Array }> {
  const parsed = audioSchema.safeParse(audio);
  if (!parsed.success) return { ok: false, problem: firstIssue(parsed.error) };
  const { sampleRate, channels, samples } = parsed.data as AudioData;
  if (samples.length === 0) return { ok: false, problem: 'samples must not be empty' };
  if (samples.length > MAX_AUDIO_SAMPLES) return { ok: false, problem: `at most ${MAX_AUDIO_SAMPLES} samples (log longer audio as an artifact)` };
  if (samples.length % channels !== 0) return { ok: false, problem: `${samples.length} samples is not a whole number of ${channels}-channel frames` };
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return { ok: false, problem: `samples.${i}: a sample must be a finite number (got ${shown(v)})` };
  }
  const { wav, clipped } = encodeWav(samples, sampleRate, channels);
  const notes = clipped > 0 ? [`${clipped} samples outside [-1, 1] were clipped`] : [];
  return { ok: true, value: { sampleRate, channels, frames: samples.length / channels, wav }, notes };
}

const tagsSchema = z.record(
  z.string().min(1, 'a tag key must not be empty').max(250, 'a tag key must be at most 250 characters'),
  z.string().max(MAX_TAG_VALUE, `a tag value must be at most ${MAX_TAG_VALUE} characters`),
);

export function checkTags(tags: unknown): Checked<Record<string, string>> {
  // zod reports a bad record key only as "Invalid key in record": say which rule first.
  if (tags !== null && typeof tags === 'object' && !Array.isArray(tags))
    for (const key of Object.keys(tags)) {
      if (key === '') return { ok: false, problem: 'a tag key must not be empty' };
      if (key.length > 250) return { ok: false, problem: `tag key ${shown(key)} is longer than 250 characters` };
    }
  const parsed = tagsSchema.safeParse(tags);
  if (!parsed.success) return { ok: false, problem: firstIssue(parsed.error) };
  for (const key of Object.keys(parsed.data)) if (key.includes('\0')) return { ok: false, problem: `tag key ${shown(key)} contains a NUL character` };
  return { ok: true, value: { ...parsed.data }, notes: [] };
}

const noteSchema = z.string().max(MAX_NOTE, `a note must be at most ${MAX_NOTE} characters`);

export function checkNote(text: unknown): Checked<string> {
  const parsed = noteSchema.safeParse(text);
  if (!parsed.success) return { ok: false, problem: firstIssue(parsed.error) };
  return { ok: true, value: parsed.data, notes: [] };
}
