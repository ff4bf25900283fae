import type { MetricPoint, RunSummary } from './types.js';
import { sparkline } from './sparkline.js';

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export function textTable(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c.replace(/\s+/g, ' '))));
  // A loop, not Math.max(...cells): a history can have millions of rows.
  const widths = columns.map((c) => c.length);
  for (const r of text) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, (r[i] ?? '').length);
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** Numbers as a user reads them: up to 6 significant digits, NaN and ±Infinity spelt out. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return String(Number(value.toPrecision(6)));
}

function isoTime(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) || ms <= 0 ? '' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const MAX_CELL = 40;
const clip = (s: string) => (s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s);

/** The `runs` command's table: id, name, status, start, and the number of params, tags and metrics. */
export function formatRunsTable(runs: readonly RunSummary[]): string {
  if (runs.length === 0) return 'No runs found.';
  return textTable(
    ['id', 'name', 'status', 'started', 'params', 'tags', 'metrics'],
    runs.map((r) => [
      clip(r.id),
      clip(r.name),
      r.status,
      isoTime(r.startTime),
      Object.keys(r.params).length,
      Object.keys(r.tags).length,
      Object.keys(r.latestMetrics).length,
    ]),
  );
}

export interface HistoryFormat {
  /** A sparkline instead of the table. */
  sparkline?: boolean;
  /** Sparkline width in characters. Default 60. */
  width?: number;
}

/** The `history` command's output: a step/value/time table, or a sparkline with the range and the point count. */
export function formatHistory(metric: string, points: readonly MetricPoint[], format: HistoryFormat = {}): string {
  if (points.length === 0) return `No points for ${metric}.`;
  if (!format.sparkline)
    return textTable(
      ['step', 'value', 'time'],
      points.map((p) => [p.step, p.value, isoTime(p.timestamp)]),
    );
  const values = points.map((p) => p.value);
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) nonFinite++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const range = nonFinite < values.length ? `min ${formatNumber(min)}  max ${formatNumber(max)}` : 'no finite values';
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return [
    `${metric}  ${sparkline(values, format.width ?? 60)}`,
    `${points.length} points, steps ${first.step}..${last.step}, ${range}, last ${formatNumber(last.value)}` +
      (nonFinite ? `, ${nonFinite} non-finite (gaps)` : ''),
  ].join('\n');
}
