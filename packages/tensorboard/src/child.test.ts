import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { createTensorBoardTracker } from './tracker.js';

const silent = createLogger({ level: 'silent' });
const eventFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.'));

describe('TensorBoard child runs (tracker.child)', () => {
  it('writes each child to `<run>/<name>`, the name made one safe segment, a taken name numbered', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'tb-child-'));
    const tracker = createTensorBoardTracker({ logDir, experiment: 'cv', runName: 'study', handleExit: false, logger: silent });
    const children = ['fold-0', 'fold-0', '../escape', 'a/b'].map((name) => tracker.child(name));
    for (const [k, child] of children.entries()) child.log({ 'training/loss': k }, { step: 0 });
    tracker.log({ 'validation/mean_accuracy': 0.9 }, { step: 0 });
    await tracker.close();
    const runDir = join(logDir, 'cv', 'study');
    expect(readdirSync(join(logDir, 'cv'))).toEqual(['study']);
    expect(
      readdirSync(runDir)
        .filter((f) => !f.startsWith('events.'))
        .sort(),
    ).toEqual(['___escape', 'a_b', 'fold-0', 'fold-0-2']);
    expect(eventFiles(runDir)).toHaveLength(1);
    for (const child of children) {
      const dir = child.runHandle().runIds.tensorboard!.logDir!;
      expect(dir.startsWith(runDir + '/'), dir).toBe(true);
      expect(eventFiles(dir), dir).toHaveLength(1);
      expect(child.stats().exporters[0]).toMatchObject({ name: 'tensorboard', failed: 0, dropped: 0, exported: 1 });
    }
  });
});
