import { createHash } from 'node:crypto';
import { bucketsProblem, imageFile, type HistogramRecord, type ImageRecord } from '@metrics/core/backend';
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
