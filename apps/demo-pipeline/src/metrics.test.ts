import { describe, expect, it } from 'vitest';
import { confusionMatrix, scores } from './metrics.js';

describe('confusion matrix and scores', () => {
  it('counts actual × predicted', () => {
    expect(confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
  });

  it('computes accuracy and macro precision / recall / F1 by hand', () => {
    const s = scores([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
    expect(s.accuracy).toBeCloseTo(4 / 6);
    // precision: class0 1/2, class1 1/2, class2 2/2; recall: 1/2, 1/1, 2/3
    expect(s.perClass.map((c) => c.precision)).toEqual([0.5, 0.5, 1]);
    expect(s.perClass.map((c) => c.recall)).toEqual([0.5, 1, 2 / 3]);
    expect(s.precision).toBeCloseTo(2 / 3);
    expect(s.recall).toBeCloseTo((0.5 + 1 + 2 / 3) / 3);
    expect(s.perClass[2]!.f1).toBeCloseTo(0.8);
    expect(s.f1).toBeCloseTo((0.5 + 2 / 3 + 0.8) / 3);
  });

  it('gives 0, not NaN, for a class never predicted or never present', () => {
    const s = scores([
      [2, 0],
      [0, 0],
    ]);
    expect(s.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(s.accuracy).toBe(1);
  });

  it('rejects mismatched lengths', () => {
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(RangeError);
  });
});
