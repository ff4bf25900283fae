import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { listSpools, readSpool } from '@metrics/core/backend';
import { createMlflowTracker } from './tracker.js';

describe('spool without a reachable server', () => {
  it('keeps hostile experiment/run names inside the spool dir and never writes the token', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mlflow-spool-path-'));
    const spillDir = join(root, 'spool');
    const secret = 'tok-NEVER-WRITTEN-42';
    const lines: string[] = [];
    const tracker = createMlflowTracker({
      trackingUri: 'http://127.0.0.1:9',
      token: secret,
      experiment: '../../escape',
      runName: '/abs/run\u0000name',
      handleExit: false,
      env: {},
      spillDir,
      logger: createLogger({ sink: (_l, line) => lines.push(line) }),
      retry: { initialDelayMs: 1, maxDelayMs: 5, deadlineMs: 20 },
    });
    for (let i = 0; i < 20; i++) tracker.log({ 'training/loss': i }, { step: i });
    await tracker.close(undefined, { timeoutMs: 300 });
    expect(readdirSync(root)).toEqual(['spool']);
    const files = readdirSync(spillDir);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toMatch(/[/\\\u0000]|^\.\.?$/);
    expect(readFileSync(join(spillDir, files[0]!), 'utf8')).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('names the run (its run key) in the spool header from the first spilled record, so a spool left by a crash replays into that run', async () => {
    const spillDir = mkdtempSync(join(tmpdir(), 'mlflow-spool-header-'));
    const tracker = createMlflowTracker({ experiment: 'e', runName: 'r', handleExit: false, env: {}, spillDir, logLevel: 'silent' });
    tracker.log({ 'training/loss': 1 }, { step: 0 });
    await tracker.flush(); // no server: the records are on disk now, before any close()
    const [spool] = listSpools(spillDir);
    expect(readSpool(spool!.path).header.runIds).toEqual({ runKey: tracker.runHandle().runIds.mlflow!.runKey });
    await tracker.close();
  });
});
