import { describe, expect, it } from 'vitest';
import { globToRegExp, groupByCategory, MetricAggregator, searchMetrics, withPrefix } from './helpers.js';

describe('helpers', () => {
  it('prefixes, searches with globs and groups by category', () => {
    expect(withPrefix('validation/', { loss: 1, accuracy: 0.9 })).toEqual({ 'validation/loss': 1, 'validation/accuracy': 0.9 });
    const names = ['training/loss', 'training/accuracy', 'profiling/timing/a', 'profiling/memory/a', 'validation/loss'];
    expect(searchMetrics(names, '*/loss')).toEqual(['training/loss', 'validation/loss']);
    expect(searchMetrics(names, 'profiling/**')).toEqual(['profiling/timing/a', 'profiling/memory/a']);
    expect(globToRegExp('training/*').test('training/a/b')).toBe(false);
    expect(groupByCategory({ 'training/loss': 1, 'validation/loss': 2, 'training/accuracy': 3 })).toEqual({
      training: { 'training/loss': 1, 'training/accuracy': 3 },
      validation: { 'validation/loss': 2 },
    });
  });

  it('aggregates windows (mean, min, max, last, ema) and resets between drains', () => {
    const agg = new MetricAggregator((n) => (n.endsWith('max') ? 'max' : 'mean'), 0.5);
    agg.add({ 'training/loss': 1, 'custom/max': 1 });
    agg.add({ 'training/loss': 3, 'custom/max': 5 });
    expect(agg.drain()).toEqual({ 'training/loss': 2, 'custom/max': 5 });
    expect(agg.drain()).toEqual({});
    const ema = new MetricAggregator('ema', 0.5);
    ema.add({ 'training/loss': 2 });
    ema.add({ 'training/loss': 4 });
    expect(ema.drain()).toEqual({ 'training/loss': 3 });
  });
});
