/**
 * Resume without ghost points, as a user sees it: a run logs steps 0..100 and crashes (SIGKILL, no close)
 * after saving its handle at step 60; the resumed run logs 60..80 again. The TensorBoard readers must show
 * steps 0..80 once each, the resumed values from 60 on, and none of the crashed attempt's 81..100.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPython, startTensorBoard } from '@metrics/oracle';
import type { RunHandle } from '@metrics/core';
import { createTensorBoardTracker } from '../tracker.js';
import { READ_WITH_EVENT_ACCUMULATOR, type AccRun } from './python-read.js';

const LONG = 20 * 60_000;
const here = dirname(fileURLToPath(import.meta.url));
const RUN = 'mnist/mlp';
let logDir: string;

/** training/loss as both attempts leave it: the crashed attempt's values below 60, the resumed one's (1000 + step) from 60 to 80. */
const TRAINING = Array.from({ length: 81 }, (_, s) => [s, s < 60 ? s : 1000 + s]);

/** Starts the crashing child, waits until it has flushed, kills it; returns the handle it saved at step 60. */
async function crashAfterStep100(): Promise<RunHandle> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'resume-crash-child.ts'), logDir], {
    cwd: join(here, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const handle = await new Promise<RunHandle>((resolveReady, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (.+)\n/.exec(out);
      if (m) resolveReady(JSON.parse(m[1]!) as RunHandle);
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${err}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return handle;
}

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'tb-resume-purge-'));
  const handle = await crashAfterStep100();
  expect(handle.step).toBe(60);
  const resumed = createTensorBoardTracker({ logDir, resume: handle, handleExit: false, logLevel: 'silent' });
  for (let step = 60; step <= 80; step++) resumed.log({ 'training/loss': 1000 + step }, { step });
  await resumed.close();
  expect(readdirSync(join(logDir, RUN))).toHaveLength(2);
}, LONG);

afterAll(() => {
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

/** Polls TensorBoard until the resumed run's last point (step 80) is served (both files loaded); with the text tag's steps. */
async function served(loadFast: boolean): Promise<Record<string, number[][]>> {
  const tb = await startTensorBoard(logDir, { loadFast });
  try {
    await tb.waitForRuns([RUN]);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const pts = await tb.waitForScalars(RUN, 'training/loss', 1);
      if (pts.some(([, s, v]) => s === 80 && v === 1080)) break;
      if (Date.now() > deadline) throw new Error(`TensorBoard (load_fast=${loadFast}) never served the resumed step 80: ${JSON.stringify(pts.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const out: Record<string, number[][]> = {};
    for (const tag of ['training/loss', 'validation/loss']) out[tag] = (await tb.waitForScalars(RUN, tag, 1)).map(([, s, v]) => [s, v]);
    const text = await tb.getJson<{ step: number }[]>(`/data/plugin/text/text?run=${encodeURIComponent(RUN)}&tag=${encodeURIComponent('evaluation/report')}`);
    out['evaluation/report'] = text.map((t) => [t.step]);
    return out;
  } finally {
    await tb.stop();
  }
}

describe('TensorBoard: resume at step 60 after a crash at step 100', () => {
  it(
    "Python EventAccumulator: the restart marker purges every scalar tag's points ≥ 60 from the crashed file (no ghosts 81..100, " +
      'validation/loss 90 gone) — but not its tensors: the text written at 90 stays (EventAccumulator does not purge Tensors())',
    async () => {
      const runDir = join(logDir, RUN);
      const py = await runPython<Record<string, AccRun>>(READ_WITH_EVENT_ACCUMULATOR, { args: [runDir], timeoutMs: 5 * 60_000 });
      const { scalars, tensors } = py[runDir]!;
      expect(scalars['training/loss']!.map(([s, v]) => [s, v])).toEqual(TRAINING);
      expect(scalars['validation/loss']!.map(([s, v]) => [s, v])).toEqual([[50, 50]]);
      const report = tensors['evaluation/report']!.values.map((v) => `${v.step}: ${String(v.value)}`);
      expect(report).toEqual(['50: attempt 1, step 50', '90: attempt 1, step 90']);
    },
    LONG,
  );

  it(
    'tensorboard --load_fast=false (Python plugin accumulator): no ghost points in any tag, text included',
    async () => {
      const ghostFree = { 'training/loss': TRAINING, 'validation/loss': [[50, 50]], 'evaluation/report': [[50]] };
      expect(await served(false)).toEqual(ghostFree);
    },
    LONG,
  );

  it(
    'Rust data server (load_fast=true) does NOT support the purge: it ignores the marker; re-logged tags lose their ghosts ' +
      'by its per-tag step preemption, but a tag not logged again keeps its ghost points (validation/loss and the text at 90)',
    async () => {
      const withGhosts = {
        'training/loss': TRAINING,
        'validation/loss': [
          [50, 50],
          [90, 90],
        ],
        'evaluation/report': [[50], [90]],
      };
      expect(await served(true)).toEqual(withGhosts);
    },
    LONG,
  );
});
