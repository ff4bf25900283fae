import { describe, expect, it } from 'vitest';
import { createLogger, createTracker, isValidMetricName } from '@metrics/core';
import { createFakeClock, InMemoryExporter } from '@metrics/core/test';
import { createProfiler } from './index.js';

function workload() {
  const clock = createFakeClock(0);
  const profiler = createProfiler({ now: clock.now, slowThresholdMs: Infinity, topN: 2 });
  profiler.profileOperation('Save Checkpoint!', 'experiment_tracking', () => {
    clock.advance(10);
    profiler.profileOperation('serialize', 'memory_usage', () => clock.advance(30));
  });
  for (let i = 0; i < 4; i++) profiler.profileOperation('logMetrics', 'progress_monitoring', () => clock.advance(5));
  clock.advance(20); // unprofiled time
  return { clock, profiler };
}

describe('bottleneck report', () => {
  it('ranks by total and by self time with shares of wall time', () => {
    const { profiler } = workload();
    const r = profiler.report();
    expect(r.wallTimeMs).toBe(80);
    expect(r.byTotal.map((b) => b.name)).toEqual(['Save Checkpoint!', 'serialize']);
    expect(r.bySelf.map((b) => b.name)).toEqual(['serialize', 'logMetrics']);
    expect(r.byTotal[0].totalSharePercent).toBe(50);
    expect(r.bySelf[1]).toMatchObject({ selfMs: 20, selfSharePercent: 25 });
  });

  it('formats a table naming every operation', () => {
    const text = workload().profiler.formatReport();
    expect(text).toContain('operation');
    expect(text).toContain('p95 ms');
    for (const name of ['Save Checkpoint!', 'serialize', 'logMetrics']) expect(text).toContain(name);
    expect(text).toContain('Top by self time');
  });

  it('turns into conventional metric names', () => {
    const m = workload().profiler.toMetrics();
    expect(m).toEqual({
      'profiling/timing/save_checkpoint': 40,
      'profiling/timing/serialize': 30,
      'profiling/timing/log_metrics': 5,
      'profiling/bottlenecks/bottleneck_0': 40,
      'profiling/bottlenecks/bottleneck_1': 30,
    });
    for (const name of Object.keys(m)) expect(isValidMetricName(name)).toBe(true);
  });

  it('keeps colliding op names apart by category', () => {
    const clock = createFakeClock();
    const p = createProfiler({ now: clock.now });
    p.profileOperation('save', 'a', () => clock.advance(1));
    p.profileOperation('Save', 'b', () => clock.advance(2));
    expect(
      Object.keys(p.toMetrics())
        .filter((k) => k.startsWith('profiling/timing/'))
        .sort(),
    ).toEqual(['profiling/timing/save_a', 'profiling/timing/save_b']);
  });
});

describe('emitTo', () => {
  it('logs the metrics through a core tracker at the given step', async () => {
    const exporter = new InMemoryExporter();
    const tracker = createTracker({ exporters: [exporter], handleExit: false, logger: createLogger({ level: 'silent' }) });
    const { profiler } = workload();
    profiler.emitTo(tracker, 7);
    await tracker.close();
    const scalars = exporter.records.filter((r) => r.kind === 'scalar');
    expect(scalars).toHaveLength(5);
    expect(scalars.every((r) => r.kind === 'scalar' && r.step === 7)).toBe(true);
    const timing = scalars.find((r) => r.kind === 'scalar' && r.name === 'profiling/timing/serialize');
    expect(timing).toMatchObject({ value: 30 });
  });

  it('without a step uses the current step and does not advance the counter', async () => {
    const exporter = new InMemoryExporter();
    const tracker = createTracker({ exporters: [exporter], handleExit: false, logger: createLogger({ level: 'silent' }) });
    tracker.log({ 'training/loss': 1 }, { step: 3 });
    const { profiler } = workload();
    profiler.emitTo(tracker);
    expect(tracker.step).toBe(4);
    await tracker.close();
    expect(exporter.records.filter((r) => r.kind === 'scalar' && r.name.startsWith('profiling/')).every((r) => r.kind === 'scalar' && r.step === 3)).toBe(true);
  });
});
