import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTracker, type TrackerOptions } from './tracker.js';
import { createLogger } from './logger.js';
import { InvalidCallError, InvalidMetricValueError } from './errors.js';
import { InMemoryExporter } from './testing/in-memory-exporter.js';
import type { ExporterV1 } from './spec.js';

function setup(extra: Partial<TrackerOptions> = {}, exporters: ExporterV1[] = [new InMemoryExporter()]) {
  const lines: string[] = [];
  const tracker = createTracker({
    exporters,
    experiment: 'exp',
    runName: 'run',
    group: 'study',
    tags: { team: 'vision' },
    handleExit: false,
    logger: createLogger({ sink: (_l, line) => lines.push(line) }),
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
  return { tracker, exporter: exporters[0] as InMemoryExporter, lines };
}

describe('tracker.child', () => {
  it("logs to each backend's child exporter, with its own run, step clock and stats", async () => {
    const { tracker, exporter } = setup();
    tracker.log({ 'training/loss': 1 });
    tracker.log({ 'training/loss': 0.5 });
    const fold = tracker.child('fold-0', { jobType: 'fold', tags: { fold: '0' } });
    fold.log({ 'training/loss': 3 });
    fold.log({ 'validation/accuracy': 0.7 }, { step: 9 });
    expect(fold.step).toBe(10);
    expect(tracker.step).toBe(2);
    await fold.close();
    await tracker.close();

    const [childExporter] = exporter.children;
    expect(childExporter!.childRun).toEqual({ name: 'fold-0', jobType: 'fold' });
    expect(childExporter!.run).toMatchObject({ experiment: 'exp', runName: 'fold-0', group: 'study', tags: { team: 'vision', fold: '0' } });
    expect(childExporter!.run!.rank).toBeUndefined();
    expect(childExporter!.scalars()).toEqual([
      { name: 'training/loss', value: 3, step: 0 },
      { name: 'validation/accuracy', value: 0.7, step: 9 },
    ]);
    expect(exporter.scalars().map((p) => p.value)).toEqual([1, 0.5]);
    expect(fold.stats().accepted).toBe(2);
    expect(tracker.stats().accepted).toBe(2);
    expect(fold.runHandle()).toMatchObject({ experiment: 'exp', runName: 'fold-0', step: 10 });
  });

  it('the job type defaults to the name', () => {
    const { tracker, exporter } = setup();
    tracker.child('trial-3');
    expect(exporter.children[0]!.childRun).toEqual({ name: 'trial-3', jobType: 'trial-3' });
    return tracker.close();
  });

  it("the parent's close closes open children with its outcome; a child closed first keeps its own", async () => {
    const { tracker, exporter } = setup();
    const done = tracker.child('fold-0');
    const open = tracker.child('fold-1');
    await done.close();
    const error = new Error('out of memory');
    const report = await tracker.fail(error);
    expect(report.status).toBe('failed');
    expect(exporter.children[0]!.outcome).toEqual({ status: 'finished' });
    expect(exporter.children[1]!.outcome).toEqual({ status: 'failed', error });
    expect(exporter.children[1]!.shutdowns).toBe(1);
    expect((await open.close()).status).toBe('failed'); // idempotent: the first close's report
  });

  it('a failed child does not fail the parent; `await using` closes a child', async () => {
    const { tracker, exporter } = setup();
    for (let k = 0; k < 3; k++) {
      try {
        await using fold = tracker.child(`fold-${k}`);
        fold.log({ 'validation/accuracy': 0.5 + k / 10 }, { step: 0 });
        if (k === 1) throw new Error('diverged');
      } catch (error) {
        expect((error as Error).message).toBe('diverged');
      }
    }
    expect(exporter.children.map((c) => c.shutdowns)).toEqual([1, 1, 1]);
    const failed = tracker.child('fold-3');
    await failed.fail(new Error('NaN loss'));
    expect(exporter.children[3]!.outcome?.status).toBe('failed');
    const report = await tracker.close();
    expect(report).toMatchObject({ ok: true, status: 'finished' });
    expect(exporter.outcome).toEqual({ status: 'finished' });
  });

  it("shares the parent's processing settings", async () => {
    const { tracker, exporter } = setup({ loggingInterval: 2, validation: 'strict' });
    const fold = tracker.child('fold-0');
    fold.log({ 'training/loss': 1 }, { step: 0 });
    fold.log({ 'training/loss': 3 }, { step: 1 });
    expect(() => fold.logHyperparams({ lr: { nested: 1 } as never })).toThrow(InvalidMetricValueError);
    await tracker.close();
    expect(exporter.children[0]!.scalars()).toEqual([{ name: 'training/loss', value: 2, step: 1 }]);
  });

  it('bad calls throw at once', () => {
    const { tracker } = setup();
    expect(() => tracker.child('')).toThrow(InvalidCallError);
    expect(() => tracker.child('  ')).toThrow(/non-empty name/);
    expect(() => tracker.child(3 as never)).toThrow(/the number 3/);
    expect(() => tracker.child('fold-0', { jobtype: 'fold' } as never)).toThrow(/unknown option `jobtype` \(did you mean `jobType`\?\)/);
    expect(() => tracker.child('fold-0', 'fold' as never)).toThrow(/options must be an object/);
    expect(() => tracker.child('fold-0', { jobType: 7 } as never)).toThrow(/`jobType` must be a non-empty string/);
    expect(() => tracker.child('fold-0', { tags: { fold: 0 } } as never)).toThrow(/tag `fold` must be a string/);
    return tracker.close();
  });

  it('any arguments: a child tracker or an InvalidCallError, never another error', async () => {
    const { tracker, exporter } = setup();
    let made = 0;
    fc.assert(
      fc.property(
        fc.anything(),
        fc.oneof(fc.constant(undefined), fc.anything(), fc.record({ jobType: fc.anything(), tags: fc.anything() })),
        (name, options) => {
          try {
            tracker.child(name as string, options as never);
            made++;
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidCallError);
          }
        },
      ),
      { numRuns: 300 },
    );
    await tracker.close();
    expect(made).toBeGreaterThan(0);
    expect(exporter.children).toHaveLength(made);
    expect(exporter.children.every((c) => c.shutdowns === 1)).toBe(true);
  });

  it('a backend without child runs is left out of the child, said once', async () => {
    const plain = new InMemoryExporter('plain');
    (plain as { child?: unknown }).child = undefined;
    const nesting = new InMemoryExporter('nesting');
    const { tracker, lines } = setup({}, [nesting, plain]);
    tracker.child('fold-0').log({ 'training/loss': 1 });
    tracker.child('fold-1');
    await tracker.close();
    expect(nesting.children).toHaveLength(2);
    expect(nesting.children[0]!.scalars()).toHaveLength(1);
    expect(plain.records).toHaveLength(0);
    expect(lines.filter((l) => l.includes('plain has no child runs'))).toHaveLength(1);
  });

  it('a child asked for after close is not created: its calls are ignored and counted', async () => {
    const { tracker, exporter, lines } = setup();
    await tracker.close();
    const late = tracker.child('fold-9');
    late.log({ 'training/loss': 1 });
    expect(exporter.children).toHaveLength(0);
    expect(late.stats().skippedBy.afterClose).toBe(1);
    expect(lines.some((l) => l.includes('child("fold-9") came after close()'))).toBe(true);
  });
});
