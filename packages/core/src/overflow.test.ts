import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { LaneState } from './lane-state.js';
import { EXPORT_OK, type ExportResult, type RunInfo, type TrackingRecord } from './spec.js';
import { InMemoryExporter } from './testing/in-memory-exporter.js';
import { createTracker, type TrackerOptions } from './tracker.js';

/** A local writer: it can start and write synchronously (like TensorBoard or W&B offline). */
class SyncExporter extends InMemoryExporter {
  syncWrites = 0;
  largestSyncWrite = 0;
  syncFailure: (() => ExportResult | undefined) | undefined;

  startSync(run: RunInfo): ExportResult {
    this.run ??= run;
    return EXPORT_OK;
  }

  exportSync(batch: readonly TrackingRecord[]): ExportResult {
    const failure = this.syncFailure?.();
    if (failure) return failure;
    this.syncWrites++;
    this.largestSyncWrite = Math.max(this.largestSyncWrite, batch.length);
    for (const r of batch) this.records.push(r);
    return EXPORT_OK;
  }
}

function tracker(exporter: InMemoryExporter, extra: Partial<TrackerOptions> = {}) {
  return createTracker({
    exporters: [exporter],
    experiment: 'exp',
    runName: 'run',
    handleExit: false,
    logger: createLogger({ sink: () => {} }),
    batch: { maxQueueSize: 100, maxBatchSize: 10 },
    ...extra,
  });
}

/** The loop a user writes when nothing in it awaits. */
function neverYield(t: ReturnType<typeof tracker>, steps: number): void {
  for (let step = 0; step < steps; step++) t.log({ 'training/a': step, 'training/b': -step }, { step });
}

const steps = (e: InMemoryExporter, name: string) => e.scalars(name).map((s) => s.step);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("full-queue policy 'keep' (the default)", () => {
  it('a local writer writes the oldest records inline, one bounded batch at a time: nothing lost, memory bounded', async () => {
    const exporter = new SyncExporter();
    const t = tracker(exporter);
    neverYield(t, 5000);
    // Before the loop yields: most records are written already, the queue is within its bound.
    expect(exporter.syncWrites).toBeGreaterThan(0);
    expect(exporter.largestSyncWrite).toBeLessThanOrEqual(10);
    const before = t.stats().exporters[0]!;
    expect(before.queued).toBeLessThanOrEqual(110);
    expect(before).toMatchObject({ dropped: 0, spilled: 0 });
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ exported: 10_000, dropped: 0, failed: 0, spilled: 0, queued: 0 });
    expect(steps(exporter, 'training/a')).toEqual(range(5000));
    expect(steps(exporter, 'training/b')).toEqual(range(5000));
  });

  it('once the queue filled, a loop that still does not yield catches up: the queue drains to about one batch', async () => {
    const exporter = new SyncExporter();
    const t = tracker(exporter);
    neverYield(t, 5000); // 10 000 records through a queue of 100
    // Without catching up the queue would stay full (100 records kept for a whole queue's time each).
    expect(t.stats().exporters[0]!.queued).toBeLessThanOrEqual(20);
    expect(exporter.largestSyncWrite).toBeLessThanOrEqual(10);
    t.log({ 'training/a': 5000, 'training/b': -5000 }, { step: 5000 });
    await t.flush(); // the caller yields: the background export takes over again
    neverYield(t, 30); // 60 records: they fit, and nothing is written inline
    const inlineBefore = exporter.syncWrites;
    t.log({ 'training/a': 0, 'training/b': 0 }, { step: 5031 });
    expect(exporter.syncWrites).toBe(inlineBefore);
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ exported: 10_064, dropped: 0, failed: 0, spilled: 0, queued: 0 });
    expect(steps(exporter, 'training/a').slice(0, 5001)).toEqual(range(5001));
  });

  it('a remote backend (no exportSync) spills synchronously; the spool is sent in order once the caller yields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overflow-'));
    const exporter = new InMemoryExporter();
    const t = tracker(exporter, { spillDir: dir });
    neverYield(t, 5000);
    const before = t.stats().exporters[0]!;
    expect(before.spilled).toBeGreaterThan(9000);
    expect(readdirSync(dir)).toHaveLength(1); // on disk before the loop returned: a crash now loses nothing
    expect(before.dropped).toBe(0);
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ exported: 10_000, dropped: 0, failed: 0, queued: 0 });
    expect(steps(exporter, 'training/a')).toEqual(range(5000));
    expect(readdirSync(dir)).toEqual([]); // everything sent: the spool file is removed
  });

  it('when an inline write cannot happen now, records spill and the order still holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overflow-'));
    const exporter = new SyncExporter();
    let calls = 0;
    // The writer is "busy" for a while (a writer thread still starting), then takes writes again.
    exporter.syncFailure = () => (++calls < 50 ? { ok: false, retryable: true, error: new Error('busy') } : undefined);
    const t = tracker(exporter, { spillDir: dir });
    neverYield(t, 5000);
    const before = t.stats().exporters[0]!;
    expect(before.spilled).toBeGreaterThan(0);
    expect(exporter.syncWrites).toBeGreaterThan(0); // spooled records are written inline too, oldest first
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ exported: 10_000, dropped: 0, failed: 0, queued: 0 });
    expect(steps(exporter, 'training/a')).toEqual(range(5000));
    expect(steps(exporter, 'training/b')).toEqual(range(5000));
  });

  it('an exporter that cannot start synchronously spills until its run is started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overflow-'));
    const exporter = new SyncExporter();
    (exporter as { startSync?: unknown }).startSync = undefined;
    const t = tracker(exporter, { spillDir: dir });
    neverYield(t, 1000);
    expect(exporter.syncWrites).toBe(0);
    expect(t.stats().exporters[0]!.spilled).toBeGreaterThan(0);
    await t.close();
    expect(steps(exporter, 'training/a')).toEqual(range(1000));
    expect(existsSync(join(dir, 'exp__run__memory.jsonl'))).toBe(false);
  });

  it("'drop' still drops (counted) and 'spill' never writes inline", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overflow-'));
    const dropping = new SyncExporter();
    const d = tracker(dropping, { fullQueue: 'drop' });
    neverYield(d, 1000);
    expect(dropping.syncWrites).toBe(0);
    expect(d.stats().exporters[0]!.dropped).toBe(1900);
    await d.close();
    const spilling = new SyncExporter();
    const s = tracker(spilling, { fullQueue: 'spill', spillDir: dir });
    neverYield(s, 1000);
    expect(spilling.syncWrites).toBe(0);
    await s.close();
    expect(steps(spilling, 'training/a')).toEqual(range(1000));
  });
});

/** An exporter whose exportSync hands batches to a thread of its own (W&B offline's writer thread). */
class HandOffExporter extends SyncExporter {
  readonly exportSyncOnSeal = true;
}

describe("exportSyncOnSeal (a hand-off to the exporter's own thread)", () => {
  it('each sealed batch goes to exportSync at once, in a loop that never yields: nothing waits in the queue', async () => {
    const exporter = new HandOffExporter();
    const t = tracker(exporter, { batch: { maxQueueSize: 1000, maxBatchSize: 10 } });
    neverYield(t, 500); // 1000 records: they would all fit in the queue
    // From the second sealed batch on (the caller has not yielded since the first), both go at once.
    expect(exporter.syncWrites).toBe(100);
    expect(exporter.largestSyncWrite).toBeLessThanOrEqual(10);
    expect(t.stats().exporters[0]).toMatchObject({ exported: 1000, queued: 0, spilled: 0 });
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ exported: 1000, dropped: 0, failed: 0, spilled: 0, queued: 0 });
    expect(steps(exporter, 'training/a')).toEqual(range(500));
  });

  it('a "not now" keeps batches queued; the next sealed batch hands them over oldest first, and the order holds', async () => {
    const exporter = new HandOffExporter();
    let calls = 0;
    // Far behind now and then (every third call): the batch stays queued and goes with a later one.
    exporter.syncFailure = () => (++calls % 3 === 0 ? { ok: false, retryable: true, error: new Error('behind') } : undefined);
    const t = tracker(exporter, { batch: { maxQueueSize: 1000, maxBatchSize: 10 } });
    neverYield(t, 500);
    expect(t.stats().exporters[0]!.queued).toBeLessThanOrEqual(20);
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ exported: 1000, dropped: 0, failed: 0, spilled: 0, queued: 0 });
    expect(steps(exporter, 'training/a')).toEqual(range(500));
    expect(steps(exporter, 'training/b')).toEqual(range(500));
  });

  it('a caller that yields after every batch leaves the export to the lane, off its log() calls', async () => {
    const exporter = new HandOffExporter();
    const t = tracker(exporter, { batch: { maxQueueSize: 1000, maxBatchSize: 10 } });
    for (let step = 0; step < 250; step++) {
      t.log({ 'training/a': step, 'training/b': -step }, { step });
      if (step % 5 === 4) await new Promise((r) => setImmediate(r)); // after each batch of 10
    }
    expect(exporter.syncWrites).toBe(0);
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ exported: 500, queued: 0, failed: 0 });
    expect(steps(exporter, 'training/a')).toEqual(range(250));
  });

  it('without the flag a batch that fits waits in the queue until the caller yields (exportSync only when full)', async () => {
    const exporter = new SyncExporter();
    const t = tracker(exporter, { batch: { maxQueueSize: 1000, maxBatchSize: 10 } });
    neverYield(t, 500);
    expect(exporter.syncWrites).toBe(0);
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ exported: 1000, queued: 0 });
  });
});

describe('LaneState', () => {
  it('allows only the documented transitions', () => {
    const s = new LaneState();
    expect(s.phase).toBe('starting');
    s.startSucceeded();
    s.startSucceeded(); // reported twice (startSync, then the async start): fine
    expect([s.phase, s.started]).toEqual(['running', true]);
    expect(() => s.to('failed')).toThrow(/running → failed/);
    s.to('closing');
    expect([s.phase, s.started, s.active]).toEqual(['closing', true, false]);
    const f = new LaneState();
    f.to('failed');
    expect([f.failed, f.started, f.active]).toEqual([true, false, false]);
  });
});
