import { describe, expect, it } from 'vitest';
import { prCurvePoints } from '../processing/curves.js';
import { renderConfusionMatrix, renderPrCurve } from './plots.js';

const pixel = (img: { width: number; data: ArrayLike<number> }, x: number, y: number) =>
  Array.from({ length: 3 }, (_, c) => img.data[(y * img.width + x) * 3 + c]);

describe('plots', () => {
  it('a confusion matrix: one cell per pair, the largest count darkest, zero white', () => {
    const img = renderConfusionMatrix([
      [4, 0],
      [2, 1],
    ]);
    expect(img).toMatchObject({ width: 65, height: 65, channels: 3 });
    expect(pixel(img, 16, 16)).toEqual([31, 119, 180]); // actual 0, predicted 0: the maximum
    expect(pixel(img, 48, 16)).toEqual([255, 255, 255]); // actual 0, predicted 1: zero
    expect(pixel(img, 16, 48)).toEqual([143, 187, 218]); // half the maximum
    expect(pixel(img, 32, 10)).toEqual([210, 210, 210]); // grid
  });

  it('a PR curve: blue where the curve is, only at thresholds with a positive prediction', () => {
    const img = renderPrCurve(prCurvePoints([1, 1, 0], [0.9, 0.8, 0.1], 3));
    expect(img).toMatchObject({ width: 256, height: 256, channels: 3 });
    // Threshold 0.5: precision 1, recall 1 → the top-right corner of the plot area.
    expect(pixel(img, 247, 8)).toEqual([31, 119, 180]);
    // Threshold 1 predicts nothing: the origin stays unpainted by the curve.
    expect(pixel(img, 9, 246)).not.toEqual([31, 119, 180]);
  });
});
