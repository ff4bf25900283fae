import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { createWandbTracker } from './exporter.js';
import { readWandbFile } from './log/records.js';
import { startFakeWandbServer, type FakeWandbServer } from './testing/fake-wandb-server.js';

const API_KEY = 'secretkey-' + 'c'.repeat(40);
const silent = createLogger({ level: 'silent' });

describe('W&B child runs (tracker.child)', () => {
  let server: FakeWandbServer;
  beforeEach(async () => {
    server = await startFakeWandbServer();
  });
  afterEach(() => server.close());

  const online = (extra: Record<string, unknown> = {}) =>
    createWandbTracker({
      mode: 'online',
      apiKey: API_KEY,
      baseUrl: server.url,
      project: 'cv',
      runId: 'parent1',
      runName: 'study',
      handleExit: false,
      logger: silent,
      env: { WANDB_RESUME: 'allow' },
      fileStream: { intervalMs: 20, heartbeatMs: 60_000 },
      retry: { initialDelayMs: 5, maxDelayMs: 50 },
      ...extra,
    });

  it("online: a run of its own in the parent's group with the job type; its failure is its own", async () => {
    const tracker = online({ group: 'mnist-cv' });
    const fold = tracker.child('fold-0', { jobType: 'fold' });
    fold.log({ 'training/loss': 0.5 }, { step: 3 });
    await fold.fail(new Error('diverged'));
    await tracker.close();
    const childId = fold.runHandle().runIds.wandb!.runId!;
    expect(childId).not.toBe('parent1');
    expect(server.runs.get('parent1')).toMatchObject({ group: 'mnist-cv', complete: true, exitcode: 0 });
    expect(server.runs.get(childId)).toMatchObject({ displayName: 'fold-0', group: 'mnist-cv', jobType: 'fold', project: 'cv', complete: true, exitcode: 1 });
    expect(server.history(childId).map((row) => [row.global_step, row['training/loss']])).toEqual([[3, 0.5]]);
  });

  it('online: a parent without a group gives its children one named after it', async () => {
    const tracker = online();
    const trial = tracker.child('trial-1');
    await tracker.close();
    const id = trial.runHandle().runIds.wandb!.runId!;
    expect(server.runs.get(id)).toMatchObject({ group: 'study', jobType: 'trial-1' });
  });

  it('offline: each child its own run directory and log, in the group, with the job type and exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-child-'));
    const tracker = createWandbTracker({ mode: 'offline', dir, runName: 'study', handleExit: false, logger: silent, env: {} });
    const folds = [0, 1].map((k) => tracker.child(`fold-${k}`, { jobType: 'fold' }));
    folds[0]!.log({ 'training/loss': 1 }, { step: 0 });
    await folds[1]!.fail(new Error('out of memory'));
    await tracker.close(); // closes fold-0, still open
    const ids = folds.map((f) => f.runHandle().runIds.wandb!.runId!);
    expect(new Set([...ids, tracker.runHandle().runIds.wandb!.runId]).size).toBe(3);
    const dirs = readdirSync(join(dir, 'wandb')).filter((d) => d.startsWith('offline-run-'));
    expect(dirs).toHaveLength(3);
    for (const [k, id] of ids.entries()) {
      const runDir = join(dir, 'wandb', dirs.find((d) => d.endsWith(`-${id}`))!);
      const { records } = readWandbFile(join(runDir, `run-${id}.wandb`));
      expect(records.find((r) => r.type === 'run')!.data).toMatchObject({ display_name: `fold-${k}`, run_group: 'study', job_type: 'fold' });
      expect(records.find((r) => r.type === 'exit')!.data.exit_code ?? 0).toBe(k === 1 ? 1 : 0);
    }
    expect(readdirSync(dir)).toEqual(['wandb']);
  });
});
