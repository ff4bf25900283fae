import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '@metrics/core/test/vitest';
import { createLogger, createTracker } from '@metrics/core';
import { createWandbExporter } from '../exporter.js';
import { itemsToObject, readWandbFile } from '../log/records.js';
import type { OfflineNative } from './offline-exporter.js';

const tempDir = useTempDirs('wandb-sync');

describe('W&B offline: a loop that never yields', () => {
  for (const offlineWriter of ['thread', 'inline'] as const) {
    it(`keeps every point, in order (writer: ${offlineWriter}; a small queue, default policy)`, async () => {
      const dir = tempDir();
      const exporter = createWandbExporter({ mode: 'offline', dir, offlineWriter, env: {}, logger: createLogger({ level: 'silent' }) });
      const tracker = createTracker({
        exporters: [exporter],
        experiment: 'proj',
        runName: 'never-yield',
        spillDir: join(dir, 'spool'),
        handleExit: false,
        logLevel: 'silent',
        batch: { maxQueueSize: 2000 },
      });
      const STEPS = 30_000;
      for (let step = 0; step < STEPS; step++) tracker.log({ 'training/a': step, 'training/b': step * 2 }, { step });
      const during = tracker.stats().exporters[0]!;
      expect(during.dropped).toBe(0);
      // Every point is written inline or waiting (in memory, or spooled while the thread was still starting).
      expect(during.exported + during.queued).toBe(2 * STEPS);
      // Once the queue filled, the loop catches up inline: only the batch sealed last is still queued.
      if (offlineWriter === 'inline') expect(during).toMatchObject({ spilled: 0, exported: 2 * STEPS - 1000 });
      await tracker.close();
      expect(tracker.stats().exporters[0]).toMatchObject({ exported: 2 * STEPS, dropped: 0, failed: 0, queued: 0 });
      const native = exporter.native() as OfflineNative;
      // A thread still starting when the queue first filled was given time (records spooled meanwhile), not
      // replaced for good by writing on the caller's thread.
      expect(native.writer).toBe(offlineWriter);
      const rows = readWandbFile(native.wandbFile!)
        .records.filter((r) => r.type === 'history')
        .map((r) => itemsToObject(r.data.item));
      expect(rows.map((r) => r['training/a'])).toEqual(Array.from({ length: STEPS }, (_, i) => i));
      expect(rows.every((r) => r['training/b'] === (r['training/a'] as number) * 2)).toBe(true);
    });
  }
});
