import { describe, expect, it } from 'vitest';
import { loadIris } from './data.js';
import { Adam, learningRateAt, Mlp } from './model.js';
import { createRng } from './random.js';

function loss(model: Mlp, x: Float32Array, y: Int32Array, rows: number): number {
  return model.lossAndGradients(x, y, rows).loss;
}

describe('Mlp', () => {
  it('backpropagation matches finite differences on every parameter', () => {
    const rng = createRng(7);
    const model = new Mlp([4, 6, 5, 3], rng);
    const rows = 5;
    const x = Float32Array.from({ length: rows * 4 }, () => rng() * 2 - 1);
    const y = Int32Array.from([0, 1, 2, 1, 0]);
    const { gradients } = model.lossAndGradients(x, y, rows);
    const eps = 1e-2;
    let checked = 0;
    model.layers.forEach((layer, l) => {
      for (const [params, grads] of [
        [layer.weights, gradients[l]!.weights],
        [layer.bias, gradients[l]!.bias],
      ] as const) {
        for (let i = 0; i < params.length; i++) {
          const keep = params[i]!;
          params[i] = keep + eps;
          const up = loss(model, x, y, rows);
          params[i] = keep - eps;
          const down = loss(model, x, y, rows);
          params[i] = keep;
          const numeric = (up - down) / (2 * eps);
          expect(Math.abs(numeric - grads[i]!)).toBeLessThan(2e-3 + 0.05 * Math.abs(numeric));
          checked++;
        }
      }
    });
    expect(checked).toBe(model.parameterCount);
  });

  it('training with Adam lowers the loss and learns Iris', () => {
    const data = loadIris({ seed: 1 });
    const model = new Mlp([4, 16, 3], createRng(1));
    const adam = new Adam(model);
    const { x, y, rows } = data.train;
    const before = loss(model, x, y, rows);
    for (let s = 0; s < 200; s++) adam.step(model.lossAndGradients(x, y, rows).gradients, 0.01);
    const after = model.lossAndGradients(x, y, rows);
    expect(after.loss).toBeLessThan(before / 3);
    const predicted = model.predict(data.validation.x, data.validation.rows);
    const correct = predicted.filter((p, i) => p === data.validation.y[i]).length;
    expect(correct / data.validation.rows).toBeGreaterThan(0.85);
  });

  it('probabilities are a distribution per row', () => {
    const model = new Mlp([2, 3], createRng(3));
    const p = model.predictProba(Float32Array.from([1, -1, 0.5, 2]), 2);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 5);
    expect(p[3]! + p[4]! + p[5]!).toBeCloseTo(1, 5);
  });

  it('is deterministic for a seed', () => {
    expect(new Mlp([4, 8, 3], createRng(42)).toJSON()).toEqual(new Mlp([4, 8, 3], createRng(42)).toJSON());
  });
});

describe('learningRateAt', () => {
  it('warms up linearly, then decays by a cosine to the floor', () => {
    expect(learningRateAt(0, 100, 0.1, 10)).toBeCloseTo(0.01);
    expect(learningRateAt(9, 100, 0.1, 10)).toBeCloseTo(0.1);
    expect(learningRateAt(10, 100, 0.1, 10)).toBeCloseTo(0.1);
    expect(learningRateAt(100, 100, 0.1, 10)).toBeCloseTo(0.005);
    expect(learningRateAt(55, 100, 0.1, 10)).toBeCloseTo(0.1 * (0.05 + 0.95 * 0.5));
  });
});

describe('loadIris', () => {
  it('splits 150 flowers 120 / 30 stratified and standardised, deterministically', () => {
    const a = loadIris({ seed: 5 });
    expect(a.train.rows).toBe(120);
    expect(a.validation.rows).toBe(30);
    expect(Array.from(a.validation.y).filter((c) => c === 0)).toHaveLength(10);
    expect(a.classes).toHaveLength(3);
    const mean0 = Array.from({ length: a.train.rows }, (_, r) => a.train.x[r * 4]!).reduce((s, v) => s + v, 0) / a.train.rows;
    expect(Math.abs(mean0)).toBeLessThan(1e-5);
    expect(loadIris({ seed: 5 })).toEqual(a);
    expect(loadIris({ seed: 6 }).train.y).not.toEqual(a.train.y);
  });
});
