// The built `metrics-tensorboard` bin, run as a user runs it: `runs` and `history` on a logdir our tracker wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltBin } from '@metrics/oracle';
import { createTensorBoardTracker } from './tracker.js';

const packageDir = join(import.meta.dirname, '..');
let logDir: string;
const cli = (...args: string[]) => runBuiltBin(packageDir, 'metrics-tensorboard', args, { cwd: logDir });

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'tb-cli-read-'));
  const t = createTensorBoardTracker({ logDir, experiment: 'exp', runName: 'r1', handleExit: false, logLevel: 'silent' });
  t.logHyperparams({ lr: 0.5 });
  const values = [4, 3, 2, 2, 1, 0];
  for (const [step, v] of values.entries()) t.log({ 'training/loss': v }, { step });
  t.log({ 'custom/flat': 7 }, { step: 0 });
  t.log({ 'custom/flat': 7 }, { step: 1 });
  await t.close();
}, 60_000);
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

describe('metrics-tensorboard runs / history', { timeout: 60_000 }, () => {
  it('lists the runs of the logdir (the current directory by default)', () => {
    const r = cli('runs');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+name\s+status\s+started\s+params\s+tags\s+metrics$/);
    expect(lines.slice(2)).toHaveLength(1);
    expect(lines[2]).toMatch(/^exp\/r1\s+exp\/r1\s+finished\s+\S+Z\s+1\s+0\s+2$/);
    expect(cli('runs', '--logdir', join(logDir, 'exp')).stdout).toMatch(/\nr1 /);
  });

  it('prints a history as a table or a sparkline (a constant series is flat)', () => {
    const table = cli('history', 'exp/r1', 'training/loss', '--logdir', logDir);
    expect(table.status, table.stderr).toBe(0);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^step\s+value\s+time$/);
    expect(rows.slice(2).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(['0 4', '1 3', '2 2', '3 2', '4 1', '5 0']);
    expect(rows[2]).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(cli('history', 'exp/r1', 'training/loss', '--sparkline').stdout).toBe('training/loss  █▇▅▅▃▁\n6 points, steps 0..5, min 0  max 4, last 0\n');
    expect(cli('history', 'exp/r1', 'custom/flat', '--sparkline', '--width', '1').stdout).toBe('custom/flat  ▄\n2 points, steps 0..1, min 7  max 7, last 7\n');
  });

  it('unknown flags, runs and tags are errors that name the right one', () => {
    const flag = cli('history', 'exp/r1', 'training/loss', '--logdri', '.');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/^metrics-tensorboard: unknown option --logdri; did you mean `--logdir`\?\nUsage: /);
    const run = cli('history', 'exp/r2', 'training/loss');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('did you mean `exp/r1`?');
    const width = cli('history', 'exp/r1', 'training/loss', '--width', '5');
    expect(width.status).toBe(2);
    expect(width.stderr).toContain('--width sets the sparkline width; add --sparkline');
    expect(cli('--help').stdout).toContain('history <run> <metric>');
  });
});
