import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const APP = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The CLI exactly as `pnpm start` runs it: the packages' TypeScript sources, no build needed. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { MLFLOW_TRACKING_URI: _u, WANDB_API_KEY: _k, ...rest } = process.env;
  return spawnSync(process.execPath, ['--conditions=@metrics/source', '--import', 'tsx', 'src/main.ts', ...args], {
    cwd: APP,
    env: { ...rest, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('the demo CLI', () => {
  it('--help prints the usage and exits 0', () => {
    const r = cli(['--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage:');
    for (const flag of ['--epochs', '--backends', '--out', '--seed', '--help']) expect(r.stdout).toContain(flag);
  });

  it('takes its flags after the -- that `pnpm demo -- --epochs 20` passes on', () => {
    const help = cli(['--', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage:');
    const out = mkdtempSync(join(tmpdir(), 'demo-cli-'));
    const r = cli(['--', '--epochs', '2', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('epoch 2/2');
    expect(r.stdout).toContain('2 epochs');
    // A healthy run with all three backends and no MLflow server (its points are spooled, as designed):
    // no warning about ourselves on the screen (slow setup, capabilities a backend lacks, the spool).
    expect(r.stdout).toMatch(/│ mlflow\s+│ 0\s+│ 0\s+│ 0\s+│ \d+/);
    expect(r.stderr).toContain('mlflow: no MLflow tracking URI');
    expect(`${r.stdout}${r.stderr}`).not.toContain('⚠️');
    expect(`${r.stdout}${r.stderr}`).not.toContain('❌');
  });

  it('`pnpm demo -- …` at the repository root (the README command) runs from the sources with the flags given', () => {
    const root = join(APP, '..', '..');
    const { MLFLOW_TRACKING_URI: _u, WANDB_API_KEY: _k, ...env } = process.env;
    const pnpm = (args: string[]) => spawnSync('npx', ['--yes', 'pnpm@10.34.8', 'demo', '--', ...args], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
    const help = pnpm(['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: pnpm demo');
    const out = mkdtempSync(join(tmpdir(), 'demo-pnpm-'));
    const r = pnpm(['--epochs', '2', '--backends', 'tensorboard', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('epoch 2/2');
    expect(readdirSync(join(out, 'runs', 'metrics-demo'))).toHaveLength(1);
  });

  it('a bad flag exits 2 with the reason and the usage', () => {
    const r = cli(['--backends', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown backend "nope"');
    expect(r.stderr).toContain('Usage:');
  });

  it('--backends tensorboard trains, writes event files and prints the summary and the command to view them', () => {
    const out = mkdtempSync(join(tmpdir(), 'demo-cli-'));
    const r = cli(['--backends', 'tensorboard', '--epochs', '3', '--out', out, '--run-name', 'cli run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/│ accuracy\s+│ 0\.\d{4}/);
    expect(r.stdout).toMatch(/│ tensorboard │ \d+/);
    expect(r.stdout).toContain(`tensorboard --logdir ${join(out, 'runs')}`);
    expect(r.stdout).not.toContain('wandb sync');
    // Not a terminal: plain lines, no redraws.
    expect(r.stderr).toContain('▶ train');
    expect(r.stderr).toContain('epoch 3/3');
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toContain('Profiler report');
    const runDir = join(out, 'runs', 'metrics-demo');
    expect(readdirSync(runDir)).toHaveLength(1);
    expect(readdirSync(join(runDir, readdirSync(runDir)[0]!)).some((f) => f.startsWith('events.out.tfevents'))).toBe(true);
    expect(existsSync(join(out, 'wandb'))).toBe(false);
  });
});
