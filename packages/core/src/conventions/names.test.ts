import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkMetricName, isValidMetricName, normalizeMetricName, toSegment, CATEGORIES } from './names.js';
import { MetricRegistry, passesPriority } from './registry.js';
import { createLegacyMigrator } from './legacy.js';
import { createLogger } from '../logger.js';

describe('metric name grammar', () => {
  it('accepts the conventional names from the seeds', () => {
    for (const n of [
      'training/loss',
      'training/learning_rate',
      'performance/gpu_memory_allocated_mb',
      'profiling/timing/wandb_training_logging',
      'profiling/bottlenecks/bottleneck_0',
      'usage/latency_ms',
    ])
      expect(checkMetricName(n)).toBeUndefined();
  });

  it.each([
    ['loss', /hierarchical/],
    ['training//loss', /empty segments/],
    ['training/loss/', /empty segments/],
    ['training/_step', /must not start with "_"/],
    ['Training/Loss', /must match/],
    ['train/loss', /must be a category/],
    ['training/val-loss', /must match/],
    ['training/' + 'a'.repeat(250), /at most 250/],
  ])('rejects %j naming the rule', (name, rule) => {
    expect(checkMetricName(name)).toMatch(rule);
  });

  it('normalizes to a valid name or gives up', () => {
    expect(normalizeMetricName('valLoss')).toBe('custom/val_loss');
    expect(normalizeMetricName('Training/Loss')).toBe('training/loss');
    expect(normalizeMetricName('val/AR@100')).toBe('custom/val/ar_100');
    expect(normalizeMetricName('')).toBeUndefined();
    expect(toSegment('TensorBoard Setup!')).toBe('tensor_board_setup');
  });

  it('normalize always yields a valid name (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const n = normalizeMetricName(s);
        return n === undefined || isValidMetricName(n);
      }),
    );
  });

  it('every valid name is also a valid MLflow key and W&B key (property)', () => {
    const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_]{0,12}$/);
    fc.assert(
      fc.property(fc.constantFrom(...CATEGORIES), fc.array(segment, { minLength: 1, maxLength: 4 }), (cat, segs) => {
        const name = [cat, ...segs].join('/');
        expect(isValidMetricName(name)).toBe(true);
        expect(name).toMatch(/^[/\w.\- ]*$/); // MLflow's key pattern
        expect(name.startsWith('_')).toBe(false); // W&B reserves a leading underscore
      }),
    );
  });
});

describe('standard metrics registry', () => {
  it('knows the standard names and families, and can be extended', () => {
    const r = new MetricRegistry();
    expect(r.get('training/loss')?.priority).toBe('high');
    expect(r.get('performance/cpu_usage_percent')?.unit).toBe('%');
    expect(r.get('profiling/timing/tensorboard_setup')?.kind).toBe('timing');
    expect(r.priorityOf('custom/unknown')).toBe('medium');
    r.register({ name: 'custom/tokens_per_second', unit: 'tokens/s', kind: 'gauge', priority: 'high', description: 'LLM throughput' });
    expect(r.priorityOf('custom/tokens_per_second')).toBe('high');
  });

  it('knows the per-GPU family system/gpu/<index>/…, valid under the name rules, and nothing looser', () => {
    const r = new MetricRegistry();
    const units = { utilization_percent: '%', memory_used_mb: 'MB', memory_total_mb: 'MB', temperature_c: '°C', power_w: 'W' };
    for (const [metric, unit] of Object.entries(units)) {
      for (const index of [0, 7, 15]) {
        const name = `system/gpu/${index}/${metric}`;
        expect(checkMetricName(name)).toBeUndefined();
        expect(r.get(name)).toMatchObject({ name: `system/gpu/<index>/${metric}`, unit, kind: 'gauge', priority: 'low' });
      }
    }
    for (const loose of ['system/gpu/x/power_w', 'system/gpu/0/power_w/extra', 'system/gpu/0/fan_percent', 'system/gpu/power_w'])
      expect(r.get(loose)).toBeUndefined();
  });

  it('orders priorities for selective logging', () => {
    expect(passesPriority('high', 'medium')).toBe(true);
    expect(passesPriority('low', 'medium')).toBe(false);
    expect(passesPriority('low', 'low')).toBe(true);
  });
});

describe('legacy names', () => {
  it('migrates flat names and warns once per name', () => {
    const lines: string[] = [];
    const m = createLegacyMigrator({ logger: createLogger({ sink: (_l, line) => lines.push(line) }) });
    expect(m.migrateRecord({ loss: 1, lr: 0.1, 'training/accuracy': 0.5 })).toEqual({
      'training/loss': 1,
      'training/learning_rate': 0.1,
      'training/accuracy': 0.5,
    });
    m.migrateName('loss');
    expect(lines.filter((l) => l.includes('"loss"'))).toHaveLength(1);
    expect(lines[0]).toContain('⚠️');
  });
});
