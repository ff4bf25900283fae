import { describe, expect, it } from 'vitest';
import { createLogger, createTracker, InvalidConfigError, InvalidMetricValueError, MAX_STEP } from '@metrics/core';
import type { ExportResult, TrackingRecord } from '@metrics/core/backend';
import { InMemoryExporter } from '@metrics/core/test';
import { runExporterConformance } from '@metrics/core/test/vitest';
import { createExperimentTracker, defineTracker, resolveConfig, type ExperimentTrackerOptions } from './index.js';

const OFF = { tensorboardLogging: false, mlflowLogging: false, wandbLogging: false } as const;
/** Tests that look at each step's own value turn the seeds' interval (10) off. */
const EVERY_STEP = { experimentLoggingInterval: 1 } as const;

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ sink: (_l, line) => lines.push(line) }) };
}

async function withMemory(options: ExperimentTrackerOptions = {}) {
  const memory = new InMemoryExporter();
  const { lines, logger } = capture();
  const tracker = await createExperimentTracker({ ...OFF, trackers: [memory], logger, env: {}, ...options });
  return { tracker, memory, lines };
}

runExporterConformance('defineTracker', async () => {
  const seen: TrackingRecord[] = [];
  return { exporter: defineTracker({ name: 'custom', capabilities: ['scalar', 'text'], write: (r) => void seen.push(...r) }) };
});

describe('configuration', () => {
  it('fails at creation naming the field and the fix', async () => {
    let error: unknown;
    try {
      await createExperimentTracker({ ...OFF, tensorboardFlushSecs: -1, experimentLoggingInterval: 0, env: {} });
    } catch (e) {
      error = e;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/tensorboardFlushSecs: tensorboardFlushSecs must be positive \(seconds between flushes, default 30\)/);
    expect((error as Error).message).toMatch(/experimentLoggingInterval: .*must be positive/);
    await expect(createExperimentTracker({ ...OFF, tensorbordLogDir: 'x', env: {} } as never)).rejects.toThrow(/tensorbordLogDir/);
  });

  it("uses the seeds' defaults (interval 10, selective logging on); backend fields are left to the backends (their own defaults and variables)", () => {
    const c = resolveConfig({}, { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000', WANDB_PROJECT: 'p', RANK: '3' });
    expect(c).toMatchObject({
      rank: 3,
      asynchronousLogging: true,
      experimentLoggingInterval: 10,
      selectiveLogging: true,
      loggingPriority: 'low',
      nonFinite: 'skip',
      aggregation: 'mean',
      validation: 'warn',
    });
    expect([c.tensorboardLogDir, c.mlflowTrackingUri, c.wandbProject]).toEqual([undefined, undefined, undefined]);
    expect(resolveConfig({ wandbProject: 'mine' }, { WANDB_PROJECT: 'env' }).wandbProject).toBe('mine');
  });
});

describe('logging', () => {
  it('puts training metrics under training/ with the epoch, and keeps steps consistent (interval 1)', async () => {
    const { tracker, memory } = await withMemory(EVERY_STEP);
    tracker.logTrainingMetrics(2, 7, { loss: 0.5, accuracy: 0.8, 'custom/tokens': 3 });
    tracker.logPerformanceMetrics({ cpu_usage_percent: 40 });
    tracker.logText('model/summary', 'hi');
    await tracker.close();
    expect(memory.scalars()).toEqual([
      { name: 'training/loss', value: 0.5, step: 7 },
      { name: 'training/accuracy', value: 0.8, step: 7 },
      { name: 'custom/tokens', value: 3, step: 7 },
      { name: 'training/epoch', value: 2, step: 7 },
      { name: 'performance/cpu_usage_percent', value: 40, step: 8 },
    ]);
    // Media without a step attach to the latest step (core's clock).
    expect(memory.records.find((r) => r.kind === 'text')).toMatchObject({ step: 8 });
  });

  it('aggregates between logging intervals instead of dropping values', async () => {
    const { tracker, memory } = await withMemory({ experimentLoggingInterval: 5 });
    for (let step = 0; step < 12; step++) tracker.log({ 'training/loss': step }, { step });
    await tracker.close();
    // windows floor(step / 5): 0..4 averaged at 4; 5..9 at 9; 10..11 emitted at close, at 11
    expect(memory.scalars()).toEqual([
      { name: 'training/loss', value: 2, step: 4 },
      { name: 'training/loss', value: 7, step: 9 },
      { name: 'training/loss', value: 10.5, step: 11 },
    ]);
  });

  it('logs by priority from the standard-metrics registry', async () => {
    const { tracker, memory } = await withMemory({ selectiveLogging: true, loggingPriority: 'high' });
    tracker.log({ 'training/loss': 1, 'training/gradient_norm': 2, 'performance/cpu_usage_percent': 3 }, { step: 0 });
    await tracker.close();
    expect(memory.scalars().map((s) => s.name)).toEqual(['training/loss']);
  });

  it('profiles every tracking operation under experiment_tracking', async () => {
    const { tracker } = await withMemory();
    tracker.logTrainingMetrics(0, 0, { loss: 1 });
    tracker.log({ 'validation/loss': 1 });
    await tracker.flush();
    const metrics = tracker.profiler.toMetrics();
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['profiling/timing/unified_training_logging', 'profiling/timing/unified_logging']));
    await tracker.close();
  });

  it('times a slow flush and close but never warns about them (they wait on backends by nature)', async () => {
    const sleep = () => new Promise<void>((r) => setTimeout(r, 150));
    const slow = defineTracker({ name: 'slow', write: () => {}, flush: sleep, close: sleep });
    const { tracker, lines } = await withMemory({ trackers: [slow], slowTrackingThresholdMs: 100 });
    tracker.log({ 'validation/loss': 1 }, { step: 0 });
    await tracker.flush();
    await tracker.close();
    const ops = tracker.profiler.report().operations;
    expect(ops.find((o) => o.name === 'experiment_tracker_flush')!.maxMs).toBeGreaterThanOrEqual(100);
    expect(ops.find((o) => o.name === 'experiment_tracker_cleanup')!.maxMs).toBeGreaterThanOrEqual(100);
    expect(lines.filter((l) => l.includes('⚠️'))).toEqual([]);
  });
});

describe('fan-out with isolation', () => {
  it('a tracker that throws, rejects or hangs does not delay or break the others; each is reported once', async () => {
    const healthy = new InMemoryExporter('healthy');
    const hanging = new InMemoryExporter('hanging');
    hanging.failWith = () => new Promise<ExportResult>(() => {});
    const throwing = defineTracker({
      name: 'throwing',
      write() {
        throw new Error('disk on fire');
      },
    });
    const { lines, logger } = capture();
    const tracker = await createExperimentTracker({ ...OFF, ...EVERY_STEP, trackers: [hanging, throwing, healthy], logger, env: {}, closeTimeoutMs: 300 });
    for (let step = 0; step < 20; step++) tracker.log({ 'training/loss': step }, { step });
    // the healthy tracker gets everything promptly, while the others fail
    await tracker.flush({ timeoutMs: 200 });
    expect(healthy.count).toBe(20);
    await tracker.close();
    const stats = Object.fromEntries(tracker.stats().exporters.map((e) => [e.name, e]));
    expect(stats.healthy).toMatchObject({ exported: 20 });
    expect(stats.throwing!.exported).toBe(0);
    expect(stats.throwing!.lastError).toBe('disk on fire');
    expect(lines.filter((l) => l.includes('❌') && l.includes('throwing'))).toHaveLength(1);
  });

  it('accepts whole Tracker instances as custom trackers', async () => {
    const inner = new InMemoryExporter('inner');
    const own = createTracker({ exporters: [inner], handleExit: false, logLevel: 'silent' });
    const tracker = await createExperimentTracker({ ...OFF, ...EVERY_STEP, trackers: [own], env: {}, logLevel: 'silent' });
    tracker.log({ 'training/loss': 1 }, { step: 3 });
    tracker.setSummary({ 'evaluation/accuracy': 0.9 });
    await tracker.close();
    expect(inner.scalars()).toEqual([{ name: 'training/loss', value: 1, step: 3 }]);
    expect(inner.records.map((r) => r.kind)).toEqual(['scalar', 'summary']);
  });
});

describe('ranks and resume', () => {
  it('rank gating "main": other ranks log nothing', async () => {
    const { tracker, memory } = await withMemory({ env: { RANK: '1' } });
    tracker.log({ 'training/loss': 1 });
    await tracker.close();
    expect(memory.count).toBe(0);
    expect(tracker.backends).toEqual([]);
  });

  it('rank gating "all": every rank logs, with the rank in the run name and a shared group', async () => {
    const { tracker, memory } = await withMemory({ env: { LOCAL_RANK: '2' }, rankGating: 'all', runName: 'job' });
    tracker.log({ 'training/loss': 1 });
    await tracker.close();
    expect(memory.run).toMatchObject({ runName: 'job-rank2', group: 'job', tags: { rank: '2' } });
    expect(memory.count).toBe(1);
  });

  it('a saved run handle resumes the same run at the right step', async () => {
    const { tracker } = await withMemory({ runName: 'resumable', experiment: 'exp' });
    tracker.log({ 'training/loss': 1 }, { step: 99 });
    await tracker.flush();
    const handle = JSON.parse(JSON.stringify(tracker.runHandle()));
    await tracker.close();
    expect(handle).toMatchObject({ experiment: 'exp', runName: 'resumable', step: 100 });
    const again = await withMemory({ resume: handle });
    again.tracker.log({ 'training/loss': 0.5 });
    await again.tracker.close();
    expect(again.memory.run).toMatchObject({ experiment: 'exp', runName: 'resumable', resume: { runName: 'resumable' }, resumeStep: 100 });
    expect(again.memory.scalars()).toEqual([{ name: 'training/loss', value: 0.5, step: 100 }]);
  });
});

describe('the step counter', () => {
  const memoryFacade = (validation: 'warn' | 'normalize' | 'strict' = 'warn', more: ExperimentTrackerOptions = {}) =>
    withMemory({ validation, logLevel: 'silent', ...EVERY_STEP, ...more });

  it('does not move on steps core rejects; later stepless calls keep counting from the last good step', async () => {
    const { tracker, memory } = await memoryFacade();
    tracker.log({ 'training/loss': 0 }, { step: 4 });
    for (const bad of [2 ** 53, 2 ** 60, 1e300, Number.POSITIVE_INFINITY, Number.NaN, -1, 0.5, 7.25]) tracker.log({ 'training/loss': 1 }, { step: bad });
    expect(tracker.step).toBe(5);
    tracker.log({ 'training/loss': 2 });
    tracker.log({ 'training/loss': 3 });
    await tracker.close();
    expect(memory.scalars().map((s) => s.step)).toEqual([4, 5, 6]);
    expect(tracker.stats()).toMatchObject({ accepted: 3, skipped: 8 });
  });

  it('after step 2^53−1 stays there: stepless calls are still accepted, never beyond MAX_STEP', async () => {
    const { tracker, memory } = await memoryFacade();
    tracker.log({ 'training/loss': 1 }, { step: MAX_STEP });
    expect(tracker.step).toBe(MAX_STEP);
    tracker.log({ 'training/loss': 2 });
    tracker.log({ 'training/loss': 3 });
    tracker.logText('training/note', 'x');
    expect(tracker.runHandle().step).toBe(MAX_STEP);
    await tracker.close();
    expect(memory.scalars().map((s) => s.step)).toEqual([MAX_STEP, MAX_STEP, MAX_STEP]);
    expect(memory.records.find((r) => r.kind === 'text')).toMatchObject({ step: MAX_STEP });
    expect(tracker.stats().skipped).toBe(0);
  });

  it('normalize policy: advances to the step core actually uses', async () => {
    const { tracker, memory } = await memoryFacade('normalize');
    tracker.log({ 'training/loss': 1 }, { step: 2.7 });
    tracker.log({ 'training/loss': 2 });
    tracker.log({ 'training/loss': 3 }, { step: 2 ** 60 });
    tracker.log({ 'training/loss': 4 });
    await tracker.close();
    expect(memory.scalars().map((s) => s.step)).toEqual([2, 3, MAX_STEP, MAX_STEP]);
  });

  it('strict policy: a bad step throws and leaves the counter where it was', async () => {
    const { tracker, memory } = await memoryFacade('strict');
    tracker.log({ 'training/loss': 1 }, { step: 3 });
    expect(() => tracker.log({ 'training/loss': 2 }, { step: 2 ** 60 })).toThrow(InvalidMetricValueError);
    expect(tracker.step).toBe(4);
    tracker.log({ 'training/loss': 3 });
    await tracker.close();
    expect(memory.scalars().map((s) => s.step)).toEqual([3, 4]);
  });

  it('with a logging interval, a point at a bad step is not aggregated into any window', async () => {
    const { tracker, memory } = await memoryFacade('warn', { experimentLoggingInterval: 2 });
    tracker.log({ 'training/loss': 100 }, { step: Number.NaN });
    tracker.log({ 'training/loss': 1 }, { step: 0 });
    tracker.log({ 'training/loss': 3 }, { step: 1 });
    await tracker.close();
    expect(memory.scalars()).toEqual([{ name: 'training/loss', value: 2, step: 1 }]);
    expect(tracker.stats()).toMatchObject({ skipped: 1, skippedBy: { invalidStep: 1 } });
  });
});
