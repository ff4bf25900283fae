import type { RawImage } from '../spec.js';
import { canvas, drawText, fillRect, fitText, line, textLength, textThickness, type Canvas, type Rgb } from './canvas.js';

/**
 * Pictures of a PR curve and a confusion matrix, for backends that show images but have no chart of their
 * own for these (MLflow's image gallery): axes, ticks, class names and counts in the built-in bitmap font.
 * Integer arithmetic only, so the same input gives the same pixels; sizes are bounded whatever the input.
 */

const WHITE: Rgb = [255, 255, 255];
const GRID: Rgb = [225, 225, 225];
const FRAME: Rgb = [110, 110, 110];
const INK: Rgb = [34, 34, 34];
const BLUE: Rgb = [31, 119, 180];

const MARGIN = 10;
const GAP = 6;
/** Scale of titles, axis titles and tick labels: 10 × 14 px glyphs. */
const TEXT_SCALE = 2;
/** Cap height of the font at a scale (glyphs without descenders). */
const capHeight = (scale: number) => 7 * scale;

// ---- PR curve ----------------------------------------------------------------------------------------------

/** The plot area's side, frame included. */
const PLOT = 256;
/** Gap between the frame and the [0, 1] range, so a curve along an edge (precision 1, recall 1) stays visible. */
const INSET = 6;
const TICK = 5;
const CURVE_WIDTH = 2;

/**
 * Precision (up) against recall (right) on [0, 1]², ticks and labels at 0, 0.5 and 1, light grid lines every
 * 0.25, the curve 2 px wide in blue, the name as title (cut at the start if long: the end names the class).
 * Thresholds with nothing predicted positive (precision undefined) are left out, as TensorBoard does.
 */
export function renderPrCurve(
  curve: { recall: readonly number[]; precision: readonly number[]; truePositives: readonly number[]; falsePositives: readonly number[] },
  title = '',
): RawImage {
  const label = textThickness(TEXT_SCALE);
  const left = MARGIN + label + GAP + textLength('0.5', TEXT_SCALE) + 4 + TICK;
  const top = MARGIN + label + GAP;
  const width = left + PLOT + 2 * MARGIN;
  const height = top + PLOT + TICK + 4 + label + GAP + label + MARGIN;
  const img = canvas(width, height, WHITE);
  const span = PLOT - 2 * INSET - CURVE_WIDTH;
  const x = (v: number) => left + INSET + Math.round(clamp01(v) * span);
  const y = (v: number) => top + INSET + Math.round((1 - clamp01(v)) * span);
  const bottom = top + PLOT - 1;
  const right = left + PLOT - 1;

  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    line(img, x(v), top + 1, x(v), bottom - 1, GRID);
    line(img, left + 1, y(v), right - 1, y(v), GRID);
  }
  for (const [a, b, c, d] of [
    [left, top, right, top],
    [left, bottom, right, bottom],
    [left, top, left, bottom],
    [right, top, right, bottom],
  ] as const)
    line(img, a, b, c, d, FRAME);

  for (const [v, text] of [
    [0, '0'],
    [0.5, '0.5'],
    [1, '1'],
  ] as const) {
    line(img, x(v), bottom + 1, x(v), bottom + TICK, FRAME);
    drawText(img, text, x(v) - Math.floor(textLength(text, TEXT_SCALE) / 2), bottom + TICK + 4, TEXT_SCALE, INK);
    line(img, left - TICK, y(v), left - 1, y(v), FRAME);
    drawText(img, text, left - TICK - 4 - textLength(text, TEXT_SCALE), y(v) - Math.floor(capHeight(TEXT_SCALE) / 2), TEXT_SCALE, INK);
  }
  drawText(img, 'recall', left + Math.floor((PLOT - textLength('recall', TEXT_SCALE)) / 2), height - MARGIN - label, TEXT_SCALE, INK);
  drawText(img, 'precision', MARGIN, top + Math.floor((PLOT + textLength('precision', TEXT_SCALE)) / 2), TEXT_SCALE, INK, 'up');
  drawTitle(img, title);

  let previous: [number, number] | undefined;
  for (let i = 0; i < curve.recall.length; i++) {
    if (curve.truePositives[i]! + curve.falsePositives[i]! === 0) continue;
    const point: [number, number] = [x(curve.recall[i]!), y(curve.precision[i]!)];
    line(img, ...(previous ?? point), ...point, BLUE, CURVE_WIDTH);
    previous = point;
  }
  return img;
}

// ---- confusion matrix ---------------------------------------------------------------------------------------

/** Up to this many classes each cell shows its count (and is at least 32 px); beyond, a plain heat map. */
export const MAX_CLASSES_WITH_COUNTS = 30;
/** The heat map's side is at most about this many pixels; beyond that many classes, neighbours share a pixel. */
export const MAX_MATRIX_SIDE = 960;
/** Class names longer than this many characters are cut, with `…`. */
const MAX_LABEL_CHARS = 12;

/**
 * A heat map with actual classes per row and predicted per column, white (0) to blue (the largest count),
 * each cell's count written in it (white on dark cells), class names on both axes (cut with `…` if long),
 * "actual" and "predicted" as axis titles, the name (if given) as title. Past 30 classes no counts, and past
 * 960 neighbouring classes are summed into one pixel, so the image stays under 1200 px a side.
 */
export function renderConfusionMatrix(counts: readonly (readonly number[])[], classNames: readonly string[] = [], title = ''): RawImage {
  const n = counts.length;
  const side = Math.max(1, Math.min(n, MAX_MATRIX_SIDE));
  const grid = binned(counts, side);
  const cell = n <= 15 ? 40 : n <= MAX_CLASSES_WITH_COUNTS ? 32 : Math.max(1, Math.min(32, Math.floor(MAX_MATRIX_SIDE / side)));
  const gridLine = cell >= 4 ? 1 : 0;
  const matrix = side * cell + gridLine;
  const labelScale = side !== n ? 0 : cell >= 20 ? 2 : cell >= 9 ? 1 : 0;
  const maxLabel = labelScale ? textLength('x'.repeat(MAX_LABEL_CHARS), labelScale) : 0;
  const labels = labelScale ? Array.from({ length: n }, (_, i) => fitText(classNames[i] ?? String(i), labelScale, maxLabel)) : [];
  const labelLength = Math.max(0, ...labels.map((l) => textLength(l, labelScale)));
  const axisScale = textLength('actual', TEXT_SCALE) <= matrix ? TEXT_SCALE : 1;
  const axisThickness = textThickness(axisScale);

  const left = MARGIN + axisThickness + GAP + (labelLength ? labelLength + GAP : 0);
  const top = MARGIN + (title ? textThickness(TEXT_SCALE) + GAP : 0);
  const belowMatrix = GAP + (labelLength ? labelLength + GAP : 0);
  const predicted = textLength('predicted', axisScale);
  const predictedX = Math.max(MARGIN, left + Math.floor((matrix - predicted) / 2));
  const width = Math.max(left + matrix, predictedX + predicted) + MARGIN;
  const height = Math.max(top + matrix + belowMatrix + axisThickness + MARGIN, top + textLength('actual', axisScale) + MARGIN);
  const img = canvas(width, height, WHITE);

  let max = 0;
  for (const row of grid) for (const v of row) if (v > max) max = v;
  if (gridLine) fillRect(img, left, top, matrix, matrix, GRID);
  for (let a = 0; a < side; a++)
    for (let p = 0; p < side; p++) {
      const v = grid[a]![p]!;
      const x = left + p * cell + gridLine;
      const y = top + a * cell + gridLine;
      fillRect(img, x, y, cell - gridLine, cell - gridLine, shade(max > 0 ? v / max : 0));
      if (n <= MAX_CLASSES_WITH_COUNTS) drawCount(img, v, x, y, cell - gridLine, max > 0 && v / max > 0.5 ? WHITE : INK);
    }

  for (const [i, text] of labels.entries()) {
    const length = textLength(text, labelScale);
    const middle = i * cell + Math.floor((cell + gridLine) / 2);
    // Actual classes right-aligned left of their rows; predicted ones read downwards under their columns.
    drawText(img, text, left - GAP - length, top + middle - Math.floor(capHeight(labelScale) / 2), labelScale, INK);
    drawText(img, text, left + middle + Math.floor(capHeight(labelScale) / 2), top + matrix + GAP, labelScale, INK, 'down');
  }
  drawText(img, 'predicted', predictedX, top + matrix + belowMatrix, axisScale, INK);
  const actual = textLength('actual', axisScale);
  drawText(img, 'actual', MARGIN, top + Math.max(actual, Math.floor((matrix + actual) / 2)), axisScale, INK, 'up');
  drawTitle(img, title);
  return img;
}

/** The count centred in its cell: big if it fits, else small, else abbreviated (12k, 3.4M). */
function drawCount(img: Canvas, v: number, x: number, y: number, size: number, rgb: Rgb): void {
  let text = String(v);
  let scale = 2;
  if (textLength(text, scale) > size - 4) scale = 1;
  if (textLength(text, scale) > size - 2) text = abbreviated(v);
  const length = textLength(text, scale);
  drawText(img, text, x + Math.floor((size - length) / 2), y + Math.floor((size - capHeight(scale)) / 2), scale, rgb);
}

function abbreviated(v: number): string {
  for (const [unit, suffix] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (v < unit) continue;
    const q = v / unit;
    return `${q < 10 ? Math.floor(q * 10) / 10 : Math.floor(q)}${suffix}`;
  }
  return String(Math.round(v));
}

/** The counts summed into `side × side` bins of neighbouring classes (the counts themselves when side = n). */
function binned(counts: readonly (readonly number[])[], side: number): number[][] {
  const n = counts.length;
  if (side === n) return counts.map((row) => [...row]);
  const out = Array.from({ length: side }, () => new Array<number>(side).fill(0));
  const bin = (i: number) => Math.floor((i * side) / n);
  for (let a = 0; a < n; a++) for (let p = 0; p < n; p++) out[bin(a)]![bin(p)]! += counts[a]![p]!;
  return out;
}

function shade(t: number): Rgb {
  const mix = (c: 0 | 1 | 2) => Math.round(WHITE[c] + (BLUE[c] - WHITE[c]) * t);
  return [mix(0), mix(1), mix(2)];
}

function drawTitle(img: Canvas, title: string): void {
  if (!title) return;
  const room = img.width - 2 * MARGIN;
  // A long path-like name loses whole leading segments first (…/pr_curve/setosa), then characters.
  const segments = title.split('/');
  const shorter = segments.slice(1).map((_, k) => `…/${segments.slice(k + 1).join('/')}`);
  const text =
    textLength(title, TEXT_SCALE) <= room ? title : (shorter.find((t) => textLength(t, TEXT_SCALE) <= room) ?? fitText(title, TEXT_SCALE, room, 'end'));
  drawText(img, text, Math.floor((img.width - textLength(text, TEXT_SCALE)) / 2), MARGIN, TEXT_SCALE, INK);
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}
