import { describe, expect, it } from 'vitest';
import { thrown } from '@metrics/core/test';
import { createLogger, createTracker, InvalidCallError, type LogOptions } from '@metrics/core';
import { InMemoryExporter } from '@metrics/core/test';
import { createExperimentTracker, type ExperimentTrackerOptions } from './index.js';

const OFF = { tensorboardLogging: false, mlflowLogging: false, wandbLogging: false } as const;

async function facade(options: ExperimentTrackerOptions = {}) {
  const memory = new InMemoryExporter();
  const lines: string[] = [];
  const logger = createLogger({ sink: (_l, line) => lines.push(line) });
  const tracker = await createExperimentTracker({ ...OFF, trackers: [memory], logger, env: {}, ...options });
  return { tracker, memory, lines };
}

describe("the facade uses core's one step clock", () => {
  it('after step 10 then step 5 the facade and a core tracker agree: scalars go to 11, media attach to 10', async () => {
    const { tracker, memory } = await facade({ experimentLoggingInterval: 1 });
    const core = createTracker({ exporters: [new InMemoryExporter()], handleExit: false, logLevel: 'silent' });
    for (const t of [tracker, core]) {
      t.log({ 'training/loss': 1 }, { step: 10 });
      t.log({ 'training/loss': 2 }, { step: 5 });
    }
    expect(tracker.step).toBe(11);
    expect(core.step).toBe(11);
    tracker.logImage('evaluation/sample', { width: 1, height: 1, channels: 1, data: new Uint8Array([3]) });
    tracker.logPerformanceMetrics({ cpu_usage_percent: 40 });
    expect(tracker.runHandle().step).toBe(12);
    await Promise.all([tracker.close(), core.close()]);
    expect(memory.records.find((r) => r.kind === 'image')).toMatchObject({ step: 10 });
    expect(memory.scalars().at(-1)).toEqual({ name: 'performance/cpu_usage_percent', value: 40, step: 11 });
  });
});

describe("the seeds' defaults: interval 10, selective logging on", () => {
  it('without options, steps 0–19 log one mean per window of 10, at steps 9 and 19', async () => {
    const { tracker, memory } = await facade();
    for (let step = 0; step < 20; step++) tracker.logTrainingMetrics(0, step, { loss: step });
    await tracker.close();
    expect(memory.scalars().filter((s) => s.name === 'training/loss')).toEqual([
      { name: 'training/loss', value: 4.5, step: 9 },
      { name: 'training/loss', value: 14.5, step: 19 },
    ]);
    expect(tracker.config).toMatchObject({ experimentLoggingInterval: 10, selectiveLogging: true, loggingPriority: 'low' });
  });

  it('a late point and a sparse step keep their own steps (steps 991–999, then 900, then 1005)', async () => {
    const { tracker, memory } = await facade();
    for (let step = 991; step <= 999; step++) tracker.log({ 'training/loss': 1 }, { step });
    tracker.log({ 'training/loss': 5 }, { step: 900 });
    tracker.log({ 'training/loss': 7 }, { step: 1005 });
    await tracker.close();
    expect(memory.scalars()).toEqual([
      { name: 'training/loss', value: 5, step: 900 },
      { name: 'training/loss', value: 1, step: 999 },
      { name: 'training/loss', value: 7, step: 1005 },
    ]);
    expect(tracker.stats().aggregation).toEqual({ interval: 10, windowsEmitted: 2, latePoints: 1 });
  });
});

describe('selective logging through the facade', () => {
  it("loggingPriority 'medium': a performance metric is counted and said once, naming the option", async () => {
    const { tracker, memory, lines } = await facade({ experimentLoggingInterval: 1, loggingPriority: 'medium' });
    tracker.logPerformanceMetrics({ gpu_memory_allocated_mb: 900 }, { step: 0 });
    tracker.logPerformanceMetrics({ gpu_memory_allocated_mb: 910 }, { step: 1 });
    await tracker.close();
    expect(memory.scalars()).toEqual([]);
    expect(tracker.stats()).toMatchObject({ skipped: 2, skippedBy: { priority: 2 } });
    expect(lines.filter((l) => l.includes('performance/gpu_memory_allocated_mb') && l.includes('loggingPriority'))).toHaveLength(1);
  });

  it("a legacy name is migrated before selection: `loss` is kept at loggingPriority 'high'", async () => {
    const { tracker, memory } = await facade({ experimentLoggingInterval: 1, loggingPriority: 'high' });
    tracker.log({ loss: 0.25 }, { step: 0 });
    await tracker.close();
    expect(memory.scalars()).toEqual([{ name: 'training/loss', value: 0.25, step: 0 }]);
  });
});

describe('names and values in the default mode', () => {
  it('train/ and nested objects land under training/, other names under custom/, NaN is skipped and counted', async () => {
    const { tracker, memory } = await facade({ experimentLoggingInterval: 1 });
    tracker.log({ 'train/loss': 1, val: { accuracy: 0.5 }, tokensPerSecond: 300, 'training/grad': Number.NaN } as never, { step: 0 });
    await tracker.close();
    expect(memory.scalars().map((s) => s.name)).toEqual(['training/loss', 'validation/accuracy', 'custom/tokens_per_second']);
    expect(tracker.stats().skippedBy.nonFinite).toBe(1);
  });

  it("nonFinite: 'keep' in the facade config keeps NaN", async () => {
    const { tracker, memory } = await facade({ experimentLoggingInterval: 1, nonFinite: 'keep' });
    tracker.log({ 'training/loss': Number.NaN }, { step: 0 });
    await tracker.close();
    expect(memory.scalars()).toEqual([{ name: 'training/loss', value: Number.NaN, step: 0 }]);
  });
});

describe('Python call shapes are errors at once through every facade method', () => {
  it('a positional step, a misspelt option, a string step', async () => {
    const { tracker, memory } = await facade();
    const cases: [() => void, RegExp][] = [
      [() => tracker.log({ 'training/loss': 0.1 }, 500 as unknown as LogOptions), /pass \{ step: 500 \}/],
      [() => tracker.log({ 'training/loss': 0.1 }, { stpe: 3 } as unknown as LogOptions), /did you mean `step`/],
      [() => tracker.log({ 'training/loss': 0.1 }, { step: '7' } as unknown as LogOptions), /got the string "7"/],
      [() => tracker.logPerformanceMetrics({ cpu_usage_percent: 1 }, 3 as unknown as LogOptions), /pass \{ step: 3 \}/],
      [() => tracker.logProfilingData({ x: 1 }, { step: '2' } as unknown as LogOptions), /got the string "2"/],
      [() => tracker.logTrainingMetrics(0, '7' as unknown as number, { loss: 1 }), /`step` must be a non-negative integer; got the string "7"/],
      [() => tracker.logTrainingMetrics({ loss: 1 } as unknown as number, 3, {}), /`epoch`/],
      [() => tracker.logText('model/notes', 'x', { stpe: 1 } as unknown as LogOptions), /did you mean `step`/],
    ];
    for (const [call, message] of cases) {
      const error = thrown(call);
      expect(InvalidCallError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
    await tracker.close();
    expect(memory.count).toBe(0);
  });
});

describe('default run names', () => {
  it('two facades created in the same second get distinct names', async () => {
    const [a, b] = await Promise.all([facade(), facade()]);
    const names = [a.tracker.runHandle().runName, b.tracker.runHandle().runName];
    expect(names[0]).toMatch(/^run-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(names[0]).not.toBe(names[1]);
    await Promise.all([a.tracker.close(), b.tracker.close()]);
  });
});
