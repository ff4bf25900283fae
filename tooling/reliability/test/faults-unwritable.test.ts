/**
 * A log directory that cannot be created (a path under a regular file: ENOTDIR, which holds even for
 * root) for TensorBoard and W&B offline, next to a backend that works. Each broken backend says so in
 * one ❌ line, once; the working one gets every point; the training loop never notices.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureVenv } from '@metrics/oracle';
import { createLogger } from '@metrics/core';
import type { TrackingRecord } from '@metrics/core/backend';
import { createExperimentTracker, defineTracker } from '@metrics/unified';
import { isPrefixRange, removeTempDirs, sleep, tempDir } from './support/faults-children.js';
import { eventFileIn, loadEventFiles } from './support/faults-readers.js';

const STEPS = 5_000;
const loss = (step: number) => 1 / (step + 1);

afterAll(() => removeTempDirs());
beforeAll(async () => {
  await ensureVenv();
}, 900_000);

/** A path that can never become a directory: it goes through a regular file. */
function blockedPath(): { blocker: string; dir: string } {
  const root = tempDir('rel-unwritable-');
  const blocker = join(root, 'not-a-dir');
  writeFileSync(blocker, 'a regular file');
  return { blocker, dir: join(blocker, 'logs') };
}

/** A training loop that yields now and then; counts log() calls that threw. */
async function train(tracker: { log(v: Record<string, number>, o: { step: number }): void }): Promise<number> {
  let threw = 0;
  for (let step = 0; step < STEPS; step++) {
    try {
      tracker.log({ 'training/loss': loss(step) }, { step });
    } catch {
      threw++;
    }
    if (step % 500 === 0) await sleep(1);
  }
  return threw;
}

describe('unwritable log directory', () => {
  it('TensorBoard and W&B both broken, an in-memory tracker beside them: one ❌ each, memory gets everything', async () => {
    const { blocker, dir } = blockedPath();
    const lines: string[] = [];
    const memory: TrackingRecord[] = [];
    const tracker = await createExperimentTracker({
      experimentLoggingInterval: 1, // every step's own point is checked in the files
      experiment: 'reliability-unwritable',
      runName: 'both-broken',
      tensorboardLogging: true,
      tensorboardLogDir: join(dir, 'runs'),
      wandbLogging: true,
      wandbMode: 'offline',
      wandbDir: dir,
      mlflowLogging: false,
      profiling: false,
      closeTimeoutMs: 2_000,
      env: {},
      logger: createLogger({ level: 'info', sink: (_l, line) => lines.push(line) }),
      trackers: [defineTracker({ name: 'memory', write: (records) => void memory.push(...records) })],
    });
    const threw = await train(tracker);
    await tracker.close();

    expect(threw).toBe(0);
    const points = memory.filter((r) => r.kind === 'scalar');
    expect(points).toHaveLength(STEPS);
    expect(isPrefixRange(points.map((r) => (r.kind === 'scalar' ? r.step : -1)))).toBe(true);
    const errors = lines.filter((l) => l.includes('❌'));
    expect(errors).toHaveLength(2);
    expect(errors.filter((l) => /tensorboard/i.test(l) && l.includes('ENOTDIR') && l.includes(blocker))).toHaveLength(1);
    expect(errors.filter((l) => /wandb|W&B/.test(l) && l.includes('ENOTDIR') && l.includes(blocker))).toHaveLength(1);
    const stats = Object.fromEntries(tracker.stats().exporters.map((e) => [e.name, e]));
    expect(stats.memory).toMatchObject({ exported: STEPS, failed: 0, dropped: 0 });
    // The broken ones count what they could not write instead of hiding it.
    for (const name of ['tensorboard', 'wandb']) {
      expect(stats[name]!.exported).toBe(0);
      expect(stats[name]!.failed + stats[name]!.dropped).toBe(STEPS);
    }
    console.log(
      `reliability: TensorBoard + W&B under ${blocker} (ENOTDIR), ${STEPS} steps — ❌ lines: ${errors.length} (one per broken backend); ` +
        `memory tracker got ${points.length}; tensorboard failed ${stats.tensorboard!.failed}, wandb failed ${stats.wandb!.failed}; log() threw 0 times — held`,
    );
  }, 120_000);

  it('W&B broken, TensorBoard in a good directory: TensorBoard gets every point (read by TensorBoard itself)', async () => {
    const { blocker, dir } = blockedPath();
    const good = tempDir('rel-writable-');
    const lines: string[] = [];
    const tracker = await createExperimentTracker({
      experimentLoggingInterval: 1, // every step's own point is checked in the files
      experiment: 'reliability-unwritable',
      runName: 'wandb-broken',
      tensorboardLogging: true,
      tensorboardLogDir: join(good, 'runs'),
      wandbLogging: true,
      wandbMode: 'offline',
      wandbDir: dir,
      mlflowLogging: false,
      profiling: false,
      env: {},
      logger: createLogger({ level: 'info', sink: (_l, line) => lines.push(line) }),
    });
    const threw = await train(tracker);
    await tracker.close();

    expect(threw).toBe(0);
    const errors = lines.filter((l) => l.includes('❌'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/wandb|W&B/);
    expect(errors[0]).toContain('ENOTDIR');
    const file = eventFileIn(tracker.runHandle().runIds.tensorboard!.logDir!);
    const tb = (await loadEventFiles([file]))[file]!.scalars['training/loss']!;
    expect(tb).toHaveLength(STEPS);
    expect(isPrefixRange(tb.map(([s]) => s))).toBe(true);
    expect(tb.filter(([s, v]) => v !== Math.fround(loss(s)))).toEqual([]);
    const stats = Object.fromEntries(tracker.stats().exporters.map((e) => [e.name, e]));
    expect(stats.tensorboard).toMatchObject({ exported: STEPS, failed: 0, dropped: 0 });
    expect(stats.wandb!.failed).toBe(STEPS);
    console.log(
      `reliability: W&B under ${blocker} (ENOTDIR) beside TensorBoard, ${STEPS} steps — 1 ❌ line; EventFileLoader read ${tb.length} points; ` +
        `wandb failed ${stats.wandb!.failed}; log() threw 0 times — held`,
    );
  }, 120_000);
});
