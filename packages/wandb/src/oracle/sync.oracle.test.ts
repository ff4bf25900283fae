import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVenv } from '@metrics/oracle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { createWandbTracker } from '../exporter.js';
import { startFakeWandbServer, type FakeWandbServer } from '../testing/fake-wandb-server.js';
import { runWandbCli } from './tools.js';

const API_KEY = 'k'.repeat(40);
let server: FakeWandbServer;
beforeAll(async () => {
  server = await startFakeWandbServer();
});
afterAll(() => server.close());

/** Logs a run through the public tracker (offline), as a user would. */
async function logRun(dir: string, runId: string, steps: number) {
  const tracker = createWandbTracker({
    mode: 'offline',
    dir,
    runId,
    experiment: 'sync-proj',
    runName: 'sync run',
    group: 'grp',
    handleExit: false,
    logger: createLogger({ level: 'silent' }),
    env: {},
  });
  tracker.logConfig({ lr: 0.001, model: { depth: 4 } });
  const logged: { step: number; name: string; value: number }[] = [];
  for (let step = 0; step < steps; step++) {
    const values = { 'training/loss': 1 / (step + 1), 'training/lr': 0.001 * (steps - step) };
    tracker.log(values, { step });
    for (const [name, value] of Object.entries(values)) logged.push({ step, name, value });
    if (step % 10 === 9) {
      // validation for the step before: a lower step than the last one logged
      tracker.log({ 'validation/loss': step / 100 }, { step: step - 1 });
      logged.push({ step: step - 1, name: 'validation/loss', value: step / 100 });
    }
  }
  tracker.logImage('evaluation/sample', { width: 2, height: 2, channels: 1, data: new Uint8Array([0, 85, 170, 255]) }, { step: steps });
  tracker.setSummary({ 'evaluation/best': 0.125 });
  await tracker.close({ status: 'failed', exitCode: 7 });
  return logged;
}

// The real tools' virtualenv is built (minutes, first use only) in a hook with a long timeout; the tests fail loudly without it.
beforeAll(() => ensureVenv(), 900_000);

describe('real `wandb sync` uploads our offline run to a loopback W&B server', () => {
  it('uploads history, summary, config, media and the exit code exactly as logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-sync-'));
    const logged = await logRun(dir, 'syncrun1', 300);
    const wandbDir = join(dir, 'wandb');
    const { readdirSync } = await import('node:fs');
    const runDir = join(wandbDir, readdirSync(wandbDir).find((n) => n.startsWith('offline-run-'))!);
    const res = await runWandbCli(['sync', '--yes', runDir], { WANDB_BASE_URL: server.url, WANDB_API_KEY: API_KEY });
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);

    const run = server.runs.get('syncrun1')!;
    expect(run).toBeDefined();
    expect(run).toMatchObject({ project: 'sync-proj', displayName: 'sync run', group: 'grp', complete: true, exitcode: 7 });
    // Config arrives wrapped as {"key":{"value":…}}, with our metric definitions in _wandb.
    expect(run.config).toMatchObject({ lr: { value: 0.001 }, model: { value: { depth: 4 } } });

    // History: every logged point arrives, including the lower-step validation points.
    const history = server.history('syncrun1');
    expect(history.map((h) => h._step)).toEqual(history.map((_, i) => i));
    const got: { step: number; name: string; value: number }[] = [];
    for (const row of history)
      for (const [name, value] of Object.entries(row))
        if (!name.startsWith('_') && name !== 'global_step' && typeof value === 'number') got.push({ step: row.global_step as number, name, value });
    const key = (p: { step: number; name: string }) => `${p.name}@${p.step}`;
    expect(new Map(got.map((p) => [key(p), p.value]))).toEqual(new Map(logged.map((p) => [key(p), p.value])));
    expect(got).toHaveLength(logged.length);
    const image = history.find((h) => h['evaluation/sample'])!['evaluation/sample'] as { path: string; _type: string };
    expect(image._type).toBe('image-file');

    // Summary: the last value of every metric, our pinned summary value and the step column.
    expect(server.summary('syncrun1')).toMatchObject({ 'training/loss': 1 / 300, 'validation/loss': 2.99, 'evaluation/best': 0.125, global_step: 300 });

    // The media file went up through a signed URL, byte for byte, and was reported as uploaded.
    const uploaded = server.uploads.get(`syncrun1/${image.path}`);
    expect(uploaded).toBeDefined();
    expect(Buffer.compare(uploaded!, readFileSync(join(runDir, 'files', image.path)))).toBe(0);
    expect(run.uploaded).toContain(image.path);

    // The API key only travels in the Authorization header.
    const fs = server.requests.filter((r) => r.kind === 'file_stream');
    expect(fs.length).toBeGreaterThan(0);
    expect(fs[0]!.headers.authorization).toBe('Basic ' + Buffer.from(`api:${API_KEY}`).toString('base64'));
  }, 300_000);
});
