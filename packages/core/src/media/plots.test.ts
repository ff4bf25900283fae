import { describe, expect, it } from 'vitest';
import { confusionCounts, prCurvePoints } from '../processing/curves.js';
import type { RawImage } from '../spec.js';
import { textLength } from './canvas.js';
import { encodePng } from './png.js';
import { MAX_CLASSES_WITH_COUNTS, MAX_MATRIX_SIDE, renderConfusionMatrix, renderPrCurve } from './plots.js';

type Rgb = number[];
const WHITE = [255, 255, 255];
const BLUE = [31, 119, 180];

const pixel = (img: RawImage, x: number, y: number): Rgb => Array.from({ length: 3 }, (_, c) => img.data[(y * img.width + x) * 3 + c]!);

/** Bounding box of the pixels in a region whose colour differs from `background`. */
function inkBox(img: RawImage, x0: number, y0: number, w: number, h: number, background: Rgb) {
  let box: { left: number; top: number; right: number; bottom: number } | undefined;
  for (let y = y0; y < y0 + h; y++)
    for (let x = x0; x < x0 + w; x++) {
      if (pixel(img, x, y).every((v, c) => v === background[c])) continue;
      box = box
        ? { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x), bottom: Math.max(box.bottom, y) }
        : { left: x, top: y, right: x, bottom: y };
    }
  return box && { ...box, width: box.right - box.left + 1, height: box.bottom - box.top + 1 };
}

/** The heat map's cells: where the fill colour of (0, 0) starts, and the cell pitch (found from the image). */
function locateCells(img: RawImage, fill: Rgb) {
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      if (pixel(img, x, y).join() === fill.join()) {
        let size = 0;
        while (pixel(img, x + size, y).join() === fill.join()) size++;
        return { x, y, pitch: size + 1 };
      }
  throw new Error('no cell of that colour');
}

describe('confusion matrix picture', () => {
  const classes = ['setosa', 'versicolor', 'virginica'];
  const counts = [
    [10, 0, 0],
    [0, 8, 2],
    [0, 1, 9],
  ];

  it('cells of at least 32 px, each with its count written in it, darkest where the count is largest', () => {
    const img = renderConfusionMatrix(counts, classes, 'evaluation/confusion');
    expect(img.channels).toBe(3);
    const { x, y, pitch } = locateCells(img, BLUE); // (0, 0) holds the maximum: full blue
    expect(pitch).toBeGreaterThanOrEqual(32);
    for (const [a, row] of counts.entries())
      for (const [p, count] of row.entries()) {
        const left = x + p * pitch;
        const top = y + a * pitch;
        const fill = pixel(img, left, top); // a cell's corner is never under its digits
        expect(fill, `cell ${a},${p}`).toEqual(count === 0 ? WHITE : fill);
        const digits = inkBox(img, left, top, pitch - 1, pitch - 1, fill);
        // The count, at the font's 2× scale: as wide as its digits, 14 px high, centred in the cell.
        expect(digits, `cell ${a},${p}`).toMatchObject({ height: 14 });
        expect(digits!.width, `cell ${a},${p}`).toBeLessThanOrEqual(textLength(String(count), 2));
        expect(digits!.width, `cell ${a},${p}`).toBeGreaterThanOrEqual(textLength(String(count), 2) - 4); // '1' has a blank column
        expect(Math.abs(digits!.left - left - (pitch - 1 - digits!.right + left - 1))).toBeLessThanOrEqual(1);
        // Light text on dark cells, dark text on light ones.
        const ink = pixel(img, digits!.left, digits!.top) as Rgb;
        const lum = (c: Rgb) => c[0]! + c[1]! + c[2]!;
        if (lum(ink) === lum(fill)) continue; // the corner of a glyph may be blank; the box is what matters
        expect(Math.abs(lum(ink) - lum(fill)), `contrast in cell ${a},${p}`).toBeGreaterThan(200);
      }
  });

  it('class names beside the rows and under the columns, axis titles and the title outside the heat map', () => {
    const img = renderConfusionMatrix(counts, classes, 'evaluation/confusion');
    const { x, y, pitch } = locateCells(img, BLUE);
    const side = 3 * pitch;
    // Left of each row: its class name (and further left the vertical "actual").
    for (let a = 0; a < 3; a++) {
      const label = inkBox(img, 0, y + a * pitch, x - 2, pitch - 1, WHITE);
      expect(label, `row label ${a}`).toBeDefined();
      expect(label!.right).toBeLessThan(x - 2);
    }
    // Under each column: its class name, written downwards (taller than wide).
    for (let p = 0; p < 3; p++) {
      const label = inkBox(img, x + p * pitch, y + side + 2, pitch - 1, textLength(classes[p]!, 2) + 8, WHITE);
      expect(label, `column label ${p}`).toBeDefined();
      expect(label!.height).toBe(textLength(classes[p]!, 2));
    }
    // The title above the heat map.
    expect(inkBox(img, 0, 0, img.width, y - 2, WHITE)).toMatchObject({ height: 14 });
  });

  it('long class names are cut with an ellipsis, so the picture does not grow with them', () => {
    const short = renderConfusionMatrix(counts, ['a', 'b', 'c']);
    const long = renderConfusionMatrix(counts, ['x'.repeat(40), 'y'.repeat(500), 'c']);
    const limit = renderConfusionMatrix(counts, ['x'.repeat(12), 'b', 'c']);
    expect([long.width, long.height]).toEqual([limit.width, limit.height]);
    expect(long.width).toBeGreaterThan(short.width);
  });

  it('deterministic: the same counts give the same PNG bytes', () => {
    const a = encodePng(renderConfusionMatrix(counts, classes, 'evaluation/confusion'));
    const b = encodePng(
      renderConfusionMatrix(
        counts.map((r) => [...r]),
        [...classes],
        'evaluation/confusion',
      ),
    );
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(encodePng(renderConfusionMatrix(counts, classes, 'other'))).equals(Buffer.from(a))).toBe(false);
  });

  it(`past ${MAX_CLASSES_WITH_COUNTS} classes: no text in the cells`, () => {
    const n = MAX_CLASSES_WITH_COUNTS + 1;
    const diagonal = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, p) => (a === p ? 5 : 0)));
    const img = renderConfusionMatrix(diagonal, []);
    const { x, y, pitch } = locateCells(img, BLUE);
    for (let a = 0; a < n; a += 7) expect(inkBox(img, x + a * pitch, y + a * pitch, pitch - 1, pitch - 1, BLUE), `cell ${a}`).toBeUndefined();
  });

  it('many classes: the size stays bounded (neighbouring classes share a pixel), the diagonal still shows', () => {
    for (const n of [200, 1500]) {
      const actual = Array.from({ length: n }, (_, i) => i);
      const img = renderConfusionMatrix(confusionCounts(n, actual, actual), []);
      expect(img.width, `${n} classes`).toBeLessThanOrEqual(MAX_MATRIX_SIDE + 100);
      expect(img.height, `${n} classes`).toBeLessThanOrEqual(MAX_MATRIX_SIDE + 100);
      expect(img.data.length).toBe(img.width * img.height * 3);
      const { x, y } = locateCells(img, BLUE);
      expect(pixel(img, x, y)).toEqual(BLUE);
    }
  });

  it('never more than 1200 px a side, however many classes and however long their names', () => {
    for (const n of [1, 15, 16, 30, 31, 106, 107, 961, 2000]) {
      const img = renderConfusionMatrix(
        Array.from({ length: n }, () => new Array<number>(n).fill(123456)),
        Array.from({ length: n }, () => 'W'.repeat(100)),
        'T'.repeat(1000),
      );
      expect(Math.max(img.width, img.height), `${n} classes`).toBeLessThan(1200);
    }
  });

  it('no classes or no examples: a picture anyway, never a throw', () => {
    expect(renderConfusionMatrix([], []).width).toBeGreaterThan(0);
    const zero = renderConfusionMatrix(
      [
        [0, 0],
        [0, 0],
      ],
      ['a', 'b'],
    );
    expect(zero.data.length).toBe(zero.width * zero.height * 3);
  });
});

describe('PR curve picture', () => {
  // Every threshold up to 0.8 keeps precision at 1: the curve runs along the top of the plot.
  const perfect = prCurvePoints([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1], 11);

  it('a curve along the border is drawn inside it, 2 px wide, with background between it and the frame', () => {
    const img = renderPrCurve(perfect, 'evaluation/pr_curve/setosa');
    // The frame's top edge and the curve: scan down the middle column of the plot.
    const column = Math.floor(img.width / 2) + 40;
    const colours = Array.from({ length: img.height }, (_, y) => pixel(img, column, y).join());
    const firstBlue = colours.indexOf(BLUE.join());
    expect(firstBlue).toBeGreaterThan(0);
    expect(colours[firstBlue + 1]).toBe(BLUE.join()); // 2 px thick
    expect(colours[firstBlue + 2]).not.toBe(BLUE.join());
    // Above the curve: a few background pixels, then the frame (grey), then more background.
    const above = colours.slice(firstBlue - 5, firstBlue);
    expect(above).toContain(WHITE.join());
    expect(colours.slice(0, firstBlue - 1).some((c) => c !== WHITE.join())).toBe(true);
  });

  it('axis tick labels 0, 0.5 and 1 and the axis titles are written, the name as title', () => {
    const img = renderPrCurve(perfect, 'evaluation/pr_curve/setosa');
    const title = inkBox(img, 0, 0, img.width, 24, WHITE);
    expect(title).toMatchObject({ height: 14 });
    expect(title!.width).toBe(textLength('evaluation/pr_curve/setosa', 2));
    // Below the plot: two text lines (tick labels, then "recall"); left of it, "precision" and the tick labels.
    const below = inkBox(img, 60, img.height - 60, img.width - 60, 60, WHITE)!;
    expect(below.height).toBeGreaterThan(30);
    const leftSide = inkBox(img, 0, 40, 60, img.height - 110, WHITE)!;
    expect(leftSide.height).toBeGreaterThanOrEqual(textLength('precision', 2));
  });

  it('a long path-like name loses its leading segments first', () => {
    const img = renderPrCurve(perfect, 'evaluation/pr_curve/versicolor');
    const title = inkBox(img, 0, 0, img.width, 24, WHITE)!;
    expect(title.width).toBe(textLength('…/pr_curve/versicolor', 2));
  });

  it('a long name is cut at the start: the class at its end stays', () => {
    const img = renderPrCurve(perfect, `${'very/'.repeat(30)}setosa`);
    const title = inkBox(img, 0, 0, img.width, 24, WHITE)!;
    expect(title.width).toBeLessThanOrEqual(img.width - 20);
    expect([img.width, img.height]).toEqual([renderPrCurve(perfect).width, renderPrCurve(perfect).height]);
  });

  it('only thresholds with a positive prediction are drawn; deterministic bytes', () => {
    const curve = prCurvePoints([1, 1, 0], [0.9, 0.8, 0.1], 3);
    const img = renderPrCurve(curve, 'pr');
    // Threshold 1 predicts nothing: nothing blue near the origin (bottom left of the plot).
    const origin = inkBox(img, 0, img.height - 90, 110, 90, WHITE);
    for (let y = origin!.top; y <= origin!.bottom; y++) for (let x = origin!.left; x <= origin!.right; x++) expect(pixel(img, x, y)).not.toEqual(BLUE);
    expect(Buffer.from(encodePng(img)).equals(Buffer.from(encodePng(renderPrCurve(prCurvePoints([1, 1, 0], [0.9, 0.8, 0.1], 3), 'pr'))))).toBe(true);
  });
});
