import { describe, expect, it } from 'vitest';
import { thrown } from '../testing/sample-records.js';
import fc from 'fast-check';
import { createTracker, type TrackerOptions } from '../tracker.js';
import { createLogger, type LogLevel } from '../logger.js';
import { InvalidCallError, InvalidMetricNameError, InvalidMetricValueError, MetricsError } from '../errors.js';
import { InMemoryExporter } from '../testing/in-memory-exporter.js';
import type { LogOptions } from '../spec.js';

function setup(extra: Partial<TrackerOptions> = {}, level: LogLevel = 'info') {
  const lines: string[] = [];
  const exporter = new InMemoryExporter();
  const tracker = createTracker({
    exporters: [exporter],
    experiment: 'exp',
    runName: 'run',
    handleExit: false,
    logger: createLogger({ level, sink: (_l, line) => lines.push(line) }),
    ...extra,
  });
  return { tracker, exporter, lines };
}

describe('one step clock: the next default step is (highest step seen) + 1', () => {
  it('logging step 10 then step 5 leaves the clock at 11; stepless scalars go there, stepless media attach to 10', async () => {
    const { tracker, exporter } = setup();
    tracker.log({ 'training/loss': 1 }, { step: 10 });
    tracker.log({ 'training/loss': 2 }, { step: 5 });
    expect(tracker.step).toBe(11);
    tracker.logText('model/notes', 'hello');
    tracker.logHistogram('model/weights', [1, 2, 3]);
    expect(tracker.step).toBe(11);
    tracker.log({ 'training/loss': 3 });
    expect(tracker.runHandle().step).toBe(12);
    await tracker.close();
    expect(exporter.scalars().map((s) => s.step)).toEqual([10, 5, 11]);
    expect(exporter.records.filter((r) => r.kind === 'text' || r.kind === 'histogram').map((r) => (r as { step: number }).step)).toEqual([10, 10]);
  });

  it('system samples (logSamples) keep their own axis: not aggregated, and the clock does not move', async () => {
    const { tracker, exporter } = setup({ loggingInterval: 10 });
    tracker.log({ 'training/loss': 1 }, { step: 3 });
    for (let sample = 0; sample < 3; sample++) tracker.logSamples({ 'performance/cpu_usage_percent': 10 * sample }, { step: 500 + sample });
    expect(tracker.step).toBe(4);
    await tracker.close();
    expect(exporter.scalars()).toEqual([
      { name: 'performance/cpu_usage_percent', value: 0, step: 500 },
      { name: 'performance/cpu_usage_percent', value: 10, step: 501 },
      { name: 'performance/cpu_usage_percent', value: 20, step: 502 },
      { name: 'training/loss', value: 1, step: 3 },
    ]);
  });

  it('a media call with a step moves the clock like a scalar call', async () => {
    const { tracker } = setup();
    tracker.logImage('evaluation/sample', { width: 1, height: 1, channels: 1, data: new Uint8Array([1]) }, { step: 20 });
    expect(tracker.step).toBe(21);
    await tracker.close();
  });
});

describe('interval aggregation: one window per metric per floor(step / N)', () => {
  it('a late point for step 900 after steps 991–999 is logged at 900 and counted; the 991–999 window at 999', async () => {
    const { tracker, exporter } = setup({ loggingInterval: 10 });
    for (let step = 991; step <= 999; step++) tracker.log({ 'training/loss': step }, { step });
    tracker.log({ 'training/loss': 1 }, { step: 900 });
    await tracker.flush();
    expect(exporter.scalars()).toEqual([
      { name: 'training/loss', value: 1, step: 900 },
      { name: 'training/loss', value: 995, step: 999 },
    ]);
    expect(tracker.stats().aggregation).toEqual({ interval: 10, windowsEmitted: 1, latePoints: 1 });
    await tracker.close();
  });

  it('a point at step 1005 closes the 990s window at 999 and is itself logged at 1005, not 1010', async () => {
    const { tracker, exporter } = setup({ loggingInterval: 10 });
    for (let step = 991; step <= 999; step++) tracker.log({ 'training/loss': 1 }, { step });
    tracker.log({ 'training/loss': 7 }, { step: 1005 });
    await tracker.close();
    expect(exporter.scalars()).toEqual([
      { name: 'training/loss', value: 1, step: 999 },
      { name: 'training/loss', value: 7, step: 1005 },
    ]);
  });

  it('windows are per metric: a metric logged rarely is not cut by another one', async () => {
    const { tracker, exporter } = setup({ loggingInterval: 10 });
    tracker.log({ 'validation/loss': 4 }, { step: 3 });
    for (let step = 0; step < 25; step++) tracker.log({ 'training/loss': 1 }, { step });
    tracker.log({ 'validation/loss': 6 }, { step: 5 });
    await tracker.close();
    expect(exporter.scalars().filter((s) => s.name === 'validation/loss')).toEqual([{ name: 'validation/loss', value: 5, step: 5 }]);
    expect(
      exporter
        .scalars()
        .filter((s) => s.name === 'training/loss')
        .map((s) => s.step),
    ).toEqual([9, 19, 24]);
  });

  it('after a flush, a point for the window already emitted is late: logged at its own step', async () => {
    const { tracker, exporter } = setup({ loggingInterval: 10 });
    tracker.log({ 'training/loss': 1 }, { step: 1 });
    await tracker.flush();
    tracker.log({ 'training/loss': 2 }, { step: 2 });
    await tracker.close();
    expect(exporter.scalars()).toEqual([
      { name: 'training/loss', value: 1, step: 1 },
      { name: 'training/loss', value: 2, step: 2 },
    ]);
    expect(tracker.stats().aggregation.latePoints).toBe(1);
  });

  const point = fc.record({ metric: fc.constantFrom('training/a', 'training/b'), step: fc.nat({ max: 200 }), value: fc.integer({ min: -1000, max: 1000 }) });

  it('out of order and sparse steps: nothing lost or doubled, every point lands on a step it was logged at (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(point, { maxLength: 60 }), fc.integer({ min: 2, max: 25 }), fc.boolean(), async (points, interval, flushMidway) => {
        const { tracker, exporter } = setup({ loggingInterval: interval, aggregation: 'sum', logLevel: 'silent' });
        for (const [i, p] of points.entries()) {
          tracker.log({ [p.metric]: p.value }, { step: p.step });
          if (flushMidway && i === Math.floor(points.length / 2)) await tracker.flush();
        }
        await tracker.close();
        const out = exporter.scalars();
        const stats = tracker.stats();
        for (const metric of ['training/a', 'training/b']) {
          const given = points.filter((p) => p.metric === metric);
          const logged = out.filter((s) => s.name === metric);
          // 'sum' of every window plus every late point = the sum of all points: nothing lost or counted twice.
          expect(logged.reduce((t, s) => t + s.value, 0)).toBe(given.reduce((t, p) => t + p.value, 0));
          // Each value is logged at a step that metric was actually logged at (never folded into another step).
          const steps = new Set(given.map((p) => p.step));
          for (const s of logged) expect(steps.has(s.step)).toBe(true);
        }
        expect(stats.aggregation.windowsEmitted + stats.aggregation.latePoints).toBe(out.length);
        expect(stats.accepted).toBe(out.length);
      }),
      { numRuns: 150 },
    );
  });

  it('in-order steps: one value per window, at the highest step of the window, and no late points (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.nat({ max: 300 }), { maxLength: 60 }), fc.integer({ min: 1, max: 25 }), async (rawSteps, interval) => {
        const steps = [...rawSteps].sort((a, b) => a - b);
        const { tracker, exporter } = setup({ loggingInterval: interval, aggregation: 'last', logLevel: 'silent' });
        for (const step of steps) tracker.log({ 'training/loss': step }, { step });
        await tracker.close();
        const expected = new Map<number, number>();
        for (const step of steps) expected.set(Math.floor(step / interval), step);
        expect(exporter.scalars().map((s) => [s.step, s.value])).toEqual([...expected.values()].map((s) => [s, s]));
        expect(tracker.stats().aggregation.latePoints).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe('non-finite values', () => {
  it("default 'skip': skipped with one warning per metric name, counted in stats().skippedBy.nonFinite", async () => {
    const { tracker, exporter, lines } = setup();
    tracker.log({ 'training/loss': Number.NaN, 'training/accuracy': 0.5 }, { step: 0 });
    tracker.log({ 'training/loss': Number.POSITIVE_INFINITY }, { step: 1 });
    tracker.log({ 'training/grad': Number.NEGATIVE_INFINITY }, { step: 1 });
    await tracker.close();
    expect(exporter.scalars()).toEqual([{ name: 'training/accuracy', value: 0.5, step: 0 }]);
    expect(tracker.stats()).toMatchObject({ skipped: 3, skippedBy: { nonFinite: 3 } });
    expect(lines.filter((l) => l.includes('"training/loss"') && l.includes('non-finite'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('"training/grad"') && l.includes('non-finite'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('"training/loss"'))).toMatch(/nonFinite: 'keep'/);
  });

  it("'keep' logs them", async () => {
    const { tracker, exporter } = setup({ nonFinite: 'keep' });
    tracker.log({ 'training/loss': Number.NaN, 'training/grad': Number.POSITIVE_INFINITY }, { step: 0 });
    await tracker.close();
    expect(exporter.scalars().map((s) => s.value)).toEqual([Number.NaN, Number.POSITIVE_INFINITY]);
    expect(tracker.stats().skippedBy.nonFinite).toBe(0);
  });

  it('strict mode: a typed error naming the metric', () => {
    const { tracker } = setup({ validation: 'strict' });
    const error = thrown(() => tracker.log({ 'training/loss': Number.NaN }, { step: 0 }));
    expect(InvalidMetricValueError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/"training\/loss".*not finite/);
  });
});

describe('names: legacy names, prefix aliases, nested objects, custom/ fallback', () => {
  it('legacy names are migrated before selective logging: `loss` at loggingPriority "high" is logged as training/loss', async () => {
    const { tracker, exporter } = setup({ loggingPriority: 'high' });
    tracker.log({ loss: 0.5, lr: 0.1, grad_norm: 3 }, { step: 0 });
    await tracker.close();
    expect(exporter.scalars().map((s) => s.name)).toEqual(['training/loss', 'training/learning_rate']);
    expect(tracker.stats().skippedBy.priority).toBe(1);
  });

  it('train/, val/, eval/, test/ are logged under their categories, warning once per alias', async () => {
    const { tracker, exporter, lines } = setup();
    tracker.log({ 'train/loss': 1, 'train/accuracy': 2, 'val/loss': 3, 'eval/f1': 4, 'test/accuracy': 5 }, { step: 0 });
    tracker.log({ 'train/loss': 1 }, { step: 1 });
    await tracker.close();
    expect(
      exporter
        .scalars()
        .filter((s) => s.step === 0)
        .map((s) => s.name),
    ).toEqual(['training/loss', 'training/accuracy', 'validation/loss', 'evaluation/f1', 'evaluation/test/accuracy']);
    expect(lines.filter((l) => l.includes('"train/"'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('"test/"'))).toHaveLength(1);
    expect(tracker.stats().skipped).toBe(0);
  });

  it('nested objects are flattened like W&B, then aliased: { train: { loss } } → training/loss', async () => {
    const { tracker, exporter } = setup();
    tracker.log({ train: { loss: 1, layer: { norm: 2 } }, validation: { accuracy: 0.5 } } as never, { step: 0 });
    await tracker.close();
    expect(exporter.scalars().map((s) => [s.name, s.value])).toEqual([
      ['training/loss', 1],
      ['training/layer/norm', 2],
      ['validation/accuracy', 0.5],
    ]);
  });

  it('warn (default): any other invalid name is kept under custom/<sanitized name>, warning once; strict still errors', async () => {
    const { tracker, exporter, lines } = setup();
    tracker.log({ myMetric: 1, 'Tokens Per Sec': 2, 'custom/Queue Depth': 3, 'training/Loss': 4 }, { step: 0 });
    tracker.log({ myMetric: 1 }, { step: 1 });
    await tracker.close();
    expect(
      exporter
        .scalars()
        .filter((s) => s.step === 0)
        .map((s) => s.name),
    ).toEqual(['custom/my_metric', 'custom/tokens_per_sec', 'custom/queue_depth', 'custom/training/loss']);
    expect(lines.filter((l) => l.includes('"myMetric"'))).toHaveLength(1);
    expect(tracker.stats().skipped).toBe(0);

    const strict = setup({ validation: 'strict' }).tracker;
    expect(InvalidMetricNameError.isInstance(thrown(() => strict.log({ myMetric: 1 }, { step: 0 })))).toBe(true);
  });

  it('a name nothing valid can be made of is skipped and counted as invalidName', async () => {
    const { tracker, exporter } = setup();
    tracker.log({ '///': 1, '': 2, 'training/ok': 3 }, { step: 0 });
    await tracker.close();
    expect(exporter.scalars().map((s) => s.name)).toEqual(['training/ok']);
    expect(tracker.stats()).toMatchObject({ skipped: 2, skippedBy: { invalidName: 2 } });
  });
});

describe('selective logging', () => {
  it('every priority drop is counted, and said once per name with the option to change (info level)', async () => {
    const { tracker, exporter, lines } = setup({ loggingPriority: 'medium' });
    for (let step = 0; step < 3; step++) tracker.log({ 'performance/gpu_memory_allocated_mb': 512, 'training/loss': 1 }, { step });
    await tracker.close();
    expect(exporter.scalars().map((s) => s.name)).toEqual(['training/loss', 'training/loss', 'training/loss']);
    expect(tracker.stats()).toMatchObject({ skipped: 3, skippedBy: { priority: 3 } });
    const said = lines.filter((l) => l.includes('performance/gpu_memory_allocated_mb'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/priority low.*loggingPriority "medium".*loggingPriority: 'low'/);
  });
});

describe('call shapes are programming errors: InvalidCallError at once, in every mode', () => {
  for (const validation of ['warn', 'normalize', 'strict'] as const) {
    it(`${validation}: a positional step, a misspelt option, a string step, a non-object`, () => {
      const { tracker, exporter } = setup({ validation });
      const cases: [() => void, RegExp][] = [
        [() => tracker.log({ 'training/loss': 0.1 }, 500 as unknown as LogOptions), /pass \{ step: 500 \}/],
        [() => tracker.log({ 'training/loss': 0.1 }, { stpe: 3 } as unknown as LogOptions), /unknown option `stpe` \(did you mean `step`\?\)/],
        [() => tracker.log({ 'training/loss': 0.1 }, { global_step: 3 } as unknown as LogOptions), /did you mean `step`/],
        [() => tracker.log({ 'training/loss': 0.1 }, { step: '7' } as unknown as LogOptions), /`step` must be a non-negative integer; got the string "7"/],
        [() => tracker.log({ 'training/loss': 0.1 }, { wallTime: '12:00' } as unknown as LogOptions), /`wallTime` must be milliseconds/],
        [() => tracker.log(null as never), /takes an object of \{ name: number \}.*got null/],
        [() => tracker.log([1, 2] as never), /got an array/],
        [() => tracker.logText('model/notes', 'x', 3 as unknown as LogOptions), /pass \{ step: 3 \}/],
        [
          () => tracker.logImage('evaluation/i', { width: 1, height: 1, channels: 1, data: new Uint8Array(1) }, { caption: 5 } as never),
          /`caption` must be a string/,
        ],
        [() => tracker.logHistogram('model/w', [1], { setp: 1 } as unknown as LogOptions), /did you mean `step`/],
      ];
      for (const [call, message] of cases) {
        const error = thrown(call);
        expect(InvalidCallError.isInstance(error), String(error)).toBe(true);
        expect(MetricsError.isInstance(error)).toBe(true);
        expect((error as Error).message).toMatch(message);
      }
      expect(exporter.count).toBe(0);
      expect(tracker.step).toBe(0);
    });
  }
});

describe('default run names', () => {
  it('two trackers started in the same second get distinct W&B-style names', async () => {
    const make = () => createTracker({ exporters: [], handleExit: false, logLevel: 'silent' });
    const saved = process.env.METRICS_RUN_NAME;
    delete process.env.METRICS_RUN_NAME;
    try {
      const [a, b] = [make(), make()];
      const names = [a.runHandle().runName, b.runHandle().runName];
      for (const n of names) expect(n).toMatch(/^run-\d{8}-\d{6}-[0-9a-f]{6}$/);
      expect(names[0]).not.toBe(names[1]);
      await Promise.all([a.close(), b.close()]);
    } finally {
      if (saved !== undefined) process.env.METRICS_RUN_NAME = saved;
    }
  });
});
