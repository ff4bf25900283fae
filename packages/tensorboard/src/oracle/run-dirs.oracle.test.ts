/**
 * Run directories as TensorBoard's Python loader sees them: two runs with one name stay two runs, and a
 * handle taken inside a synchronous loop resumes the same run directory at the handle's step.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython } from '@metrics/oracle';
import { createLogger, type RunHandle } from '@metrics/core';
import { createTensorBoardTracker } from '../tracker.js';

/** Every run TensorBoard's EventMultiplexer finds under a directory, with its `training/loss` points. */
const READ_RUNS = String.raw`
import sys, json
from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer
m = EventMultiplexer(size_guidance={'scalars': 0})
m.AddRunsFromDirectory(sys.argv[1])
m.Reload()
print(json.dumps({run: [[e.step, e.value] for e in m.Scalars(run, 'training/loss')] for run in sorted(m.Runs())}))`;

const readRuns = (dir: string) => runPython<Record<string, [number, number][]>>(READ_RUNS, { args: [dir], timeoutMs: 5 * 60_000 });

describe('TensorBoard run directories', () => {
  it('two trackers started in the same second with the same name write two runs, the second as <name>-2 with a warning', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'tb-same-name-'));
    const lines: string[] = [];
    const logger = createLogger({ sink: (_l, line) => lines.push(line) });
    const a = createTensorBoardTracker({ logDir, experiment: 'mnist', runName: 'mlp', handleExit: false, logger });
    const b = createTensorBoardTracker({ logDir, experiment: 'mnist', runName: 'mlp', handleExit: false, logger });
    for (let step = 0; step < 5; step++) {
      a.log({ 'training/loss': step }, { step });
      b.log({ 'training/loss': 100 + step }, { step });
    }
    await Promise.all([a.close(), b.close()]);
    expect(readdirSync(join(logDir, 'mnist')).sort()).toEqual(['mlp', 'mlp-2']);
    expect(lines.filter((l) => l.includes('mlp-2'))).toEqual([
      expect.stringMatching(/is taken \(another run named "mlp" in "mnist"\); this run writes to .*mlp-2/),
    ]);
    expect(await readRuns(join(logDir, 'mnist'))).toEqual({
      mlp: Array.from({ length: 5 }, (_, s) => [s, s]),
      'mlp-2': Array.from({ length: 5 }, (_, s) => [s, 100 + s]),
    });
  }, 300_000);

  it('a handle written right after the first log() of a synchronous loop resumes the same run directory, from its step', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'tb-sync-resume-'));
    let checkpoint = '';
    const first = createTensorBoardTracker({ logDir, experiment: 'mnist', runName: 'mlp', handleExit: false, logLevel: 'silent' });
    for (let step = 0; step < 10; step++) {
      first.log({ 'training/loss': step }, { step });
      if (step === 0) checkpoint = JSON.stringify(first.runHandle());
    }
    await first.close();
    const handle = JSON.parse(checkpoint) as RunHandle;
    expect(handle.runIds.tensorboard?.logDir).toBe(join(logDir, 'mnist', 'mlp'));
    const second = createTensorBoardTracker({ logDir, resume: handle, handleExit: false, logLevel: 'silent' });
    for (let step = 10; step < 20; step++) second.log({ 'training/loss': step }, { step });
    await second.close();
    expect(existsSync(join(logDir, 'mnist', 'mlp-2'))).toBe(false);
    // The handle is the checkpoint of step 0 (it resumes at step 1): what the first attempt logged after it,
    // steps 1..9, is hidden by the resumed file's restart marker (see resume-purge.oracle.test.ts).
    expect(await readRuns(join(logDir, 'mnist'))).toEqual({ mlp: [[0, 0], ...Array.from({ length: 10 }, (_, i) => [10 + i, 10 + i])] });
  }, 300_000);
});
