import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '@metrics/core/test/vitest';
import { createLogger } from '@metrics/core';
import { createWandbTracker } from '../exporter.js';
import { readWandbFile, itemsToObject } from '../log/records.js';

// Its own file: the writer thread is one per process (per module instance), and this test needs the first run
// of a process, whose thread is still starting while the loop logs.
const tempDir = useTempDirs('wandb-thread-start');

describe("a fresh process's first offline run", () => {
  it('hands its batches to the starting writer thread: a loop that never yields leaves nothing waiting in the queue', async () => {
    const dir = tempDir();
    const tracker = createWandbTracker({
      mode: 'offline',
      dir,
      env: {},
      experiment: 'p',
      runName: 'first',
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
    });
    const row: Record<string, number> = {};
    // 30 000 scalars in a few milliseconds: the thread (this package's TypeScript, loaded through tsx) is not
    // ready yet. Its messages wait for it in its backlog; the records do not wait as objects in the pipeline's
    // queue, where V8 would learn to allocate every later record in its old generation.
    for (let step = 0; step < 3000; step++) {
      for (let i = 0; i < 10; i++) row[`training/m${i}`] = step + i / 10;
      tracker.log(row, { step });
    }
    const during = tracker.stats().exporters[0]!;
    expect(during.queued).toBeLessThanOrEqual(2000); // at most the two batches a hand-off waits for
    expect(during.spilled).toBe(0);
    await tracker.close();
    const after = tracker.stats().exporters[0]!;
    expect(after.exported).toBe(30_000);
    const runDir = join(dir, 'wandb', 'latest-run');
    const file = readdirSync(runDir).find((f) => f.endsWith('.wandb'))!;
    const rows = readWandbFile(join(runDir, file))
      .records.filter((r) => r.type === 'history')
      .map((r) => itemsToObject(r.data.item));
    expect(rows.map((r) => r.global_step)).toEqual([...Array(3000).keys()]);
    expect(rows[2999]!['training/m9']).toBe(2999.9);
  });
});
