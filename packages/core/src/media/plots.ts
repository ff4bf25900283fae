import type { RawImage } from '../spec.js';

/**
 * Small pictures of a PR curve and a confusion matrix, for backends that show images but have no chart of
 * their own for these (MLflow's image gallery). Plain RGB pixels; no text (a caption or the table beside
 * says what the axes are).
 */

const WHITE = [255, 255, 255] as const;
const GRID = [210, 210, 210] as const;
const BLUE = [31, 119, 180] as const;

function canvas(width: number, height: number): RawImage & { data: Uint8Array } {
  return { width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(255) };
}

function put(img: RawImage & { data: Uint8Array }, x: number, y: number, rgb: readonly number[]): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = (y * img.width + x) * 3;
  img.data[o] = rgb[0]!;
  img.data[o + 1] = rgb[1]!;
  img.data[o + 2] = rgb[2]!;
}

/** Bresenham, two pixels thick. */
function line(img: RawImage & { data: Uint8Array }, x0: number, y0: number, x1: number, y1: number, rgb: readonly number[]): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    put(img, x0, y0, rgb);
    put(img, x0 + 1, y0, rgb);
    put(img, x0, y0 + 1, rgb);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) (err += dy), (x0 += sx);
    if (e2 <= dx) (err += dx), (y0 += sy);
  }
}

/**
 * Precision (up) against recall (right) on [0, 1]², a grid line every 0.25, the curve in blue. 256 × 256.
 * Thresholds with nothing predicted positive (precision undefined) are left out, as TensorBoard does.
 */
export function renderPrCurve(curve: {
  recall: readonly number[];
  precision: readonly number[];
  truePositives: readonly number[];
  falsePositives: readonly number[];
}): RawImage {
  const size = 256;
  const margin = 8;
  const span = size - 2 * margin - 1;
  const img = canvas(size, size);
  const at = (v: number) => margin + Math.round(Math.min(1, Math.max(0, v)) * span);
  for (let k = 0; k <= 4; k++) {
    const p = at(k / 4);
    line(img, margin, size - 1 - p, size - margin - 1, size - 1 - p, GRID);
    line(img, p, margin, p, size - margin - 1, GRID);
  }
  let previous: [number, number] | undefined;
  for (let i = 0; i < curve.recall.length; i++) {
    if (curve.truePositives[i]! + curve.falsePositives[i]! === 0) continue;
    const point: [number, number] = [at(curve.recall[i]!), size - 1 - at(curve.precision[i]!)];
    if (previous) line(img, previous[0], previous[1], point[0], point[1], BLUE);
    else put(img, point[0], point[1], BLUE);
    previous = point;
  }
  return img;
}

/** A heat map: actual class per row, predicted per column, white (0) to blue (the largest count), grid lines between cells. */
export function renderConfusionMatrix(counts: readonly (readonly number[])[]): RawImage {
  const n = counts.length;
  const cell = Math.max(2, Math.min(32, Math.floor(512 / Math.max(1, n))));
  const size = n * cell + 1;
  const img = canvas(size, size);
  let max = 0;
  for (const row of counts) for (const v of row) if (v > max) max = v;
  for (let a = 0; a < n; a++)
    for (let p = 0; p < n; p++) {
      const t = max > 0 ? counts[a]![p]! / max : 0;
      const rgb = [0, 1, 2].map((c) => Math.round(WHITE[c]! + (BLUE[c]! - WHITE[c]!) * t));
      for (let y = 1; y < cell; y++) for (let x = 1; x < cell; x++) put(img, p * cell + x, a * cell + y, rgb);
    }
  for (let k = 0; k <= n; k++)
    for (let i = 0; i < size; i++) {
      put(img, k * cell, i, GRID);
      put(img, i, k * cell, GRID);
    }
  return img;
}
