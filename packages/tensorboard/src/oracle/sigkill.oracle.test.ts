/** A writer killed with SIGKILL after a flush leaves a file both TensorBoard loaders (and ours) read up to the last flushed record. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPython, startTensorBoard } from '@metrics/oracle';
import { readEventFile } from '../reader/index.js';
import { READ_WITH_EVENT_ACCUMULATOR, type AccRun } from './python-read.js';

const LONG = 20 * 60_000;
const here = dirname(fileURLToPath(import.meta.url));
let logDir: string;
let file: string;
const expected = Array.from({ length: 100 }, (_, s) => [s, Math.fround(s / 100)]);

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'tb-kill-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'kill-child.ts'), join(logDir, 'killed')], {
    cwd: join(here, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  file = await new Promise<string>((resolveReady, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (.+)\n/.exec(out);
      if (m) resolveReady(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${err}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}, LONG);

afterAll(() => {
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

describe('SIGKILL after a flush', () => {
  it('our reader gets the 100 flushed points and reports the truncated tail with its offset', () => {
    const r = readEventFile(file);
    const pts = r.events.flatMap((e) => e.values.map((v) => [e.step, v.kind === 'scalar' ? v.value : NaN]));
    expect(pts).toEqual(expected);
    expect(r.truncatedAt).toBe(statSync(file).size - 20);
  });

  it(
    'TensorBoard EventAccumulator reads up to the last flushed record',
    async () => {
      const py = await runPython<Record<string, AccRun>>(READ_WITH_EVENT_ACCUMULATOR, { args: [join(logDir, 'killed')] });
      expect(py[join(logDir, 'killed')]!.scalars['training/loss']!.map(([s, v]) => [s, v])).toEqual(expected);
    },
    LONG,
  );

  for (const loadFast of [true, false]) {
    it(
      `real TensorBoard (load_fast=${loadFast}) serves the 100 flushed points`,
      async () => {
        const tb = await startTensorBoard(logDir, { loadFast });
        try {
          const run = relative(logDir, dirname(file));
          await tb.waitForRuns([run]);
          const pts = await tb.waitForScalars(run, 'training/loss', 100);
          expect(pts.map(([, s, v]) => [s, v])).toEqual(expected);
        } finally {
          await tb.stop();
        }
      },
      LONG,
    );
  }
});
