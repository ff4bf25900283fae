import { createHash } from 'node:crypto';
import {
  bucketsProblem,
  imageFile,
  type AudioRecord,
  type ConfusionMatrixRecord,
  type HistogramRecord,
  type ImageRecord,
  type PrCurveRecord,
  type TableCell,
} from '@metrics/core/backend';
import { safeSegment } from '../paths.js';

/** A file to place under the run's `files/` directory (and upload online). */
export interface MediaFile {
  /** Relative to `files/`, with forward slashes. */
  path: string;
  bytes: Uint8Array;
}

const HISTOGRAM_BINS = 64;

/** A W&B histogram object (`{"_type":"histogram","values":counts,"bins":edges}`), edges = counts + 1. */
export function histogramValue(record: HistogramRecord): { _type: 'histogram'; values: number[]; bins: number[] } {
  if (record.buckets) {
    const b = record.buckets;
    const problem = bucketsProblem(b);
    // Thrown: RunState.apply skips this record and the exporter reports it as failed.
    if (problem) throw new Error(`malformed histogram buckets: ${problem}`);
    const edges = [b.min, ...b.bucketLimits.map((x) => (Number.isFinite(x) ? x : b.max))];
    return { _type: 'histogram', values: [...b.bucketCounts], bins: edges };
  }
  const values: number[] = [];
  const src = record.values ?? [];
  for (let i = 0; i < src.length; i++) if (Number.isFinite(src[i])) values.push(src[i]!);
  if (values.length === 0) return { _type: 'histogram', values: [], bins: [0] };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / HISTOGRAM_BINS;
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const v of values) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) / width))]!++;
  const bins = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => (i === HISTOGRAM_BINS ? max : min + i * width));
  return { _type: 'histogram', values: counts, bins };
}

/** Writes nothing: returns the history value (`image-file`) and the file to store under `files/`. */
export function imageValue(record: ImageRecord): { value: Record<string, unknown>; file: MediaFile } {
  const img = record.image;
  const { bytes, extension: format } = imageFile(img);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const path = `media/images/${safeSegment(record.name)}_${record.step}_${sha256.slice(0, 20)}.${format}`;
  const value: Record<string, unknown> = { _type: 'image-file', path, sha256, size: bytes.length, format, width: img.width, height: img.height };
  if (record.caption !== undefined) value.caption = record.caption;
  return { value, file: { path, bytes } };
}

/** A `table-file` (what `wandb.Table` logs): the JSON `{"columns", "data"}` under `media/table/`. */
export function tableValue(
  name: string,
  step: number,
  columns: readonly string[],
  rows: readonly (readonly TableCell[])[],
): { value: Record<string, unknown>; file: MediaFile } {
  const bytes = Buffer.from(JSON.stringify({ columns, data: rows }));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const path = `media/table/${safeSegment(name)}_${step}_${sha256.slice(0, 20)}.table.json`;
  const value = { _type: 'table-file', path, sha256, size: bytes.length, ncols: columns.length, nrows: rows.length, log_mode: 'IMMUTABLE' };
  return { value, file: { path, bytes } };
}

/** An `audio-file` (what `wandb.Audio` logs): the WAV under `media/audio/`. */
export function audioValue(record: AudioRecord): { value: Record<string, unknown>; file: MediaFile } {
  const sha256 = createHash('sha256').update(record.wav).digest('hex');
  const path = `media/audio/${safeSegment(record.name)}_${record.step}_${sha256.slice(0, 20)}.wav`;
  const value: Record<string, unknown> = { _type: 'audio-file', path, sha256, size: record.wav.length };
  if (record.caption !== undefined) value.caption = record.caption;
  return { value, file: { path, bytes: record.wav } };
}

/**
 * A chart preset over a table logged under `<key>_table`, as `wandb.plot.pr_curve` and
 * `wandb.plot.confusion_matrix` configure it (the run config's `_wandb.visualize.<key>`): which Vega
 * panel, which table columns it plots, its titles, and the query that fetches the table.
 */
export function chartPreset(key: string, preset: 'pr_curve' | 'confusion_matrix'): { panel_type: 'Vega2'; panel_config: Record<string, unknown> } {
  const tableKey = `${key}_table`;
  const spec =
    preset === 'pr_curve'
      ? {
          panelDefId: 'wandb/area-under-curve/v0',
          fieldSettings: { x: 'recall', y: 'precision', class: 'class' },
          stringSettings: { title: 'Precision-Recall Curve', 'x-axis-title': 'Recall', 'y-axis-title': 'Precision' },
        }
      : {
          panelDefId: 'wandb/confusion_matrix/v1',
          fieldSettings: { Actual: 'Actual', Predicted: 'Predicted', nPredictions: 'nPredictions' },
          stringSettings: { title: 'Confusion Matrix Curve' },
        };
  return {
    panel_type: 'Vega2',
    panel_config: {
      ...spec,
      transform: { name: 'tableWithLeafColNames' },
      userQuery: {
        queryFields: [
          {
            name: 'runSets',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: W&B's query variable, filled in by its UI
            args: [{ name: 'runSets', value: '${runSets}' }],
            fields: [
              { name: 'id', fields: [] },
              { name: 'name', fields: [] },
              { name: '_defaultColorIndex', fields: [] },
              { name: 'summaryTable', args: [{ name: 'tableKey', value: tableKey }], fields: [] },
            ],
          },
        ],
      },
    },
  };
}

/** The PR-curve chart's table: (class, precision, recall) per threshold, the positive class named `positive`. */
export function prCurveRows(r: PrCurveRecord): { columns: string[]; rows: TableCell[][] } {
  return { columns: ['class', 'precision', 'recall'], rows: r.thresholds.map((_, i) => ['positive', r.precision[i]!, r.recall[i]!]) };
}

/** The confusion-matrix chart's table: every (Actual, Predicted) pair with its count. */
export function confusionRows(r: ConfusionMatrixRecord): { columns: string[]; rows: TableCell[][] } {
  const rows: TableCell[][] = [];
  r.counts.forEach((counts, a) => counts.forEach((n, p) => rows.push([r.classNames[a]!, r.classNames[p]!, n])));
  return { columns: ['Actual', 'Predicted', 'nPredictions'], rows };
}
