import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { createTensorBoardTracker, listRuns, readEventFile } from '../index.js';

const protobufjsLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`${sep}protobufjs${sep}`));

describe('protobufjs is loaded by the read path only', () => {
  it('writing a run never loads it; reading the run back does', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'tb-lazy-'));
    try {
      const t = createTensorBoardTracker({ logDir, experiment: 'e', runName: 'r', handleExit: false, logger: createLogger({ level: 'silent' }) });
      t.log({ loss: 0.5 }, { step: 1 });
      t.logText('notes', 'hi', { step: 1 });
      await t.close();
      expect(protobufjsLoaded()).toBe(false);
      const files = [...listRuns(logDir).values()].flat();
      const values = files.flatMap((f) => readEventFile(f).events.flatMap((e) => e.values));
      expect(values).toContainEqual(expect.objectContaining({ kind: 'scalar', value: 0.5 }));
      expect(values).toContainEqual(expect.objectContaining({ kind: 'text', text: 'hi' }));
      expect(protobufjsLoaded()).toBe(true);
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  });
});
