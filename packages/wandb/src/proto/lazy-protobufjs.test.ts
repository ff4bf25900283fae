import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { createWandbTracker, itemsToObject, readWandbFile } from '../index.js';

const protobufjsLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`${sep}protobufjs${sep}`));

describe('protobufjs is loaded by the read path only', () => {
  it('writing an offline run never loads it; readWandbFile does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-lazy-'));
    try {
      const t = createWandbTracker({
        mode: 'offline',
        dir,
        env: {},
        experiment: 'p',
        runName: 'r',
        handleExit: false,
        logger: createLogger({ level: 'silent' }),
      });
      t.log({ 'training/loss': 0.25 }, { step: 0 });
      await t.close();
      expect(protobufjsLoaded()).toBe(false);
      const runDir = join(dir, 'wandb', readdirSync(join(dir, 'wandb')).find((n) => n.startsWith('offline-run-'))!);
      const file = join(runDir, readdirSync(runDir).find((n) => n.endsWith('.wandb'))!);
      const rows = readWandbFile(file)
        .records.filter((r) => r.type === 'history')
        .map((r) => itemsToObject(r.data.item));
      expect(rows).toEqual([expect.objectContaining({ 'training/loss': 0.25, _step: 0 })]);
      expect(protobufjsLoaded()).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
