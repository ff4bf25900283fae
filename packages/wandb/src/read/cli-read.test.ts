// The built `metrics-wandb` bin, run as a user runs it, on offline runs our tracker wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltBin } from '@metrics/oracle';
import { createWandbTracker } from '../index.js';

const packageDir = join(import.meta.dirname, '../..');
let dir: string;
const cli = (...args: string[]) => runBuiltBin(packageDir, 'metrics-wandb', args, { env: { ...process.env, WANDB_DIR: dir } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wandb-cli-read-'));
  const t = createWandbTracker({ mode: 'offline', dir, project: 'cli', runId: 'clirun01', runName: 'curve', handleExit: false, logLevel: 'silent', env: {} });
  t.logHyperparams({ lr: 0.1 });
  for (let step = 0; step < 100; step++) t.log({ 'training/loss': step < 50 ? 100 - step : step - 50 }, { step });
  await t.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('metrics-wandb', { timeout: 60_000 }, () => {
  it('lists the runs under WANDB_DIR (or --dir)', () => {
    const r = cli('runs');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+name\s+status\s+started\s+params\s+tags\s+metrics$/);
    expect(lines.slice(2)).toEqual([expect.stringMatching(/^clirun01\s+curve\s+finished\s+\d{4}-\S+Z\s+1\s+0\s+1$/)]);
    expect(cli('runs', '--dir', join(dir, 'wandb')).stdout).toBe(r.stdout);
  });

  it('prints a history as a table, or as a sparkline averaged into the width', () => {
    const table = cli('history', 'curve', 'training/loss');
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(102);
    const spark = cli('history', 'clirun01', 'training/loss', '--sparkline', '--width', '4');
    expect(spark.stdout).toBe('training/loss  █▆▁▃\n100 points, steps 0..99, min 0  max 100, last 49\n');
  });

  it('bad usage names the fix: unknown flags, commands, runs and metrics', () => {
    const flag = cli('runs', '--dri', dir);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/^metrics-wandb: unknown option --dri; did you mean `--dir`\?\nUsage: metrics-wandb runs/);
    expect(cli('history', 'curve').stderr).toContain('history needs a run and a metric');
    expect(cli('list').stderr).toContain('unknown command "list"');
    const run = cli('history', 'curv', 'training/loss');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('did you mean `curve`?');
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('metrics-wandb history <run> <metric> [--sparkline [--width N]] [--dir DIR]');
  });
});
