// A run handle written inside a synchronous training loop (before the event loop turns) resumes the same
// W&B run: read back with the real wandb (`wandb leet inspect`).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type RunHandle } from '@metrics/core';
import { ensureVenv } from '@metrics/oracle';
import { createWandbTracker } from '../exporter.js';
import { leetInspect } from './tools.js';

beforeAll(() => ensureVenv(), 900_000);

describe('resume from a handle taken inside a synchronous loop', () => {
  it('carries the W&B run id from creation on, and the resumed process continues that run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-sync-resume-'));
    const silent = createLogger({ level: 'silent' });
    let checkpoint = '';
    const first = createWandbTracker({ mode: 'offline', dir, env: {}, experiment: 'mnist', runName: 'mlp', handleExit: false, logger: silent });
    for (let step = 0; step < 5; step++) {
      first.log({ 'training/loss': step }, { step });
      if (step === 0) checkpoint = JSON.stringify(first.runHandle());
    }
    await first.close();
    const handle = JSON.parse(checkpoint) as RunHandle;
    const runId = handle.runIds.wandb?.runId;
    expect(runId).toMatch(/^[a-z0-9]{8}$/);
    const second = createWandbTracker({ mode: 'offline', dir, env: {}, handleExit: false, logger: silent, resume: handle });
    for (let step = 5; step < 10; step++) second.log({ 'training/loss': step }, { step });
    await second.close();
    const runDirs = readdirSync(join(dir, 'wandb'))
      .filter((n) => n.startsWith('offline-run-'))
      .sort();
    expect(runDirs).toHaveLength(2);
    const ids: unknown[] = [];
    const rows: Record<string, unknown>[] = [];
    for (const runDir of runDirs) {
      const { records, run } = await leetInspect(join(dir, 'wandb', runDir));
      expect(run.code, run.stderr).toBe(0);
      ids.push((records.find((r) => r.type === 'run')!.run as { run_id: string }).run_id);
      for (const r of records.filter((x) => x.type === 'history')) rows.push((r.history as { item: Record<string, unknown> }).item);
    }
    expect(ids).toEqual([runId, runId]);
    expect(rows.map((r) => [r._step, r['training/loss']])).toEqual(Array.from({ length: 10 }, (_, s) => [s, s]));
  }, 300_000);
});
