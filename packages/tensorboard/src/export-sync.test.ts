import { describe, expect, it } from 'vitest';
import { useTempDirs } from '@metrics/core/test/vitest';
import { createLogger } from '@metrics/core';
import type { TrackingRecord } from '@metrics/core/backend';
import { createTensorBoardExporter } from './exporter.js';
import { createTensorBoardTracker } from './tracker.js';
import { listRuns, readEventFile } from './reader/index.js';

const tempDir = useTempDirs('tb-sync');

function stepsIn(logDir: string, tag: string): number[] {
  const steps: number[] = [];
  for (const [, files] of listRuns(logDir))
    for (const f of files) {
      const contents = readEventFile(f);
      expect(contents.errors).toEqual([]);
      for (const ev of contents.events) for (const v of ev.values) if (v.kind === 'scalar' && v.tag === tag) steps.push(ev.step);
    }
  return steps;
}

const scalars = (from: number, to: number): TrackingRecord[] =>
  Array.from({ length: to - from }, (_, i) => ({ kind: 'scalar', name: 'training/loss', value: from + i, step: from + i, wallTime: 1000 }));

describe('TensorBoard exportSync', () => {
  it('writes in call order alongside background writes still in flight (each write has its own file position)', async () => {
    const logDir = tempDir();
    const exporter = createTensorBoardExporter({ logDir, maxQueue: 1, flushBytes: 256, logger: createLogger({ level: 'silent' }) });
    expect(exporter.startSync!({ experiment: 'e', runName: 'r', tags: {}, startTime: 0 })).toEqual({ ok: true });
    const pending: Promise<unknown>[] = [];
    for (let b = 0; b < 40; b++) {
      const batch = scalars(b * 50, b * 50 + 50);
      // Alternate: a background export (write not awaited) and an inline one.
      if (b % 2 === 0) pending.push(exporter.export(batch));
      else expect(exporter.exportSync!(batch)).toEqual({ ok: true });
    }
    await Promise.all(pending);
    await exporter.shutdown({ status: 'finished' });
    expect(stepsIn(logDir, 'training/loss')).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it('a tracker whose loop never yields keeps every point (a small queue, default policy)', async () => {
    const logDir = tempDir();
    const tracker = createTensorBoardTracker({ logDir, experiment: 'e', runName: 'r', handleExit: false, logLevel: 'silent', batch: { maxQueueSize: 1000 } });
    for (let step = 0; step < 20_000; step++) tracker.log({ 'training/loss': step }, { step });
    expect(tracker.stats().exporters[0]).toMatchObject({ dropped: 0, spilled: 0 });
    expect(tracker.stats().exporters[0]!.exported).toBeGreaterThan(15_000); // written inline, before any await
    await tracker.close();
    expect(stepsIn(logDir, 'training/loss')).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  });

  it('a loop that never yields gets its batches written as they are sealed: records do not wait in the queue', async () => {
    const logDir = tempDir();
    const tracker = createTensorBoardTracker({ logDir, experiment: 'e', runName: 'loop', handleExit: false, logger: createLogger({ level: 'silent' }) });
    const row: Record<string, number> = {};
    for (let step = 0; step < 3000; step++) {
      for (let i = 0; i < 10; i++) row[`training/m${i}`] = step + i;
      tracker.log(row, { step });
    }
    // 30 000 records; the default queue (200 000) would hold them all until the loop yields
    expect(tracker.stats().exporters[0]!.queued).toBeLessThanOrEqual(2000);
    await tracker.close();
    expect(tracker.stats().exporters[0]!.exported).toBe(30_000);
    expect(stepsIn(logDir, 'training/m9')).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });
});
