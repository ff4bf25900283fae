import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, MLFLOW_TRACKING_URI: '' },
  });

describe('metrics-mlflow CLI', { timeout: 30_000 }, () => {
  it('names a missing spool path in the error', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'mlflow-cli-')), 'no-such-spool');
    const r = cli('replay', missing, '--tracking-uri', 'http://127.0.0.1:9');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`no spool file or directory at ${missing}`);
    expect(r.stdout).toBe('');
  });

  it.each([[[]], [['replay']], [['send', 'x']], [['replay', 'x', '--bogus']], [['replay', 'x', 'y']]])('bad usage %j: usage on stderr, exit 2', (args) => {
    const r = cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^metrics-mlflow: .+\n\nUsage: metrics-mlflow replay <spool-file-or-dir>/);
    expect(r.stdout).toBe('');
  });

  it('--help prints the usage on stdout, exit 0', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^metrics-mlflow — /);
    expect(r.stdout).toContain('Usage: metrics-mlflow replay <spool-file-or-dir>');
    expect(r.stdout).toContain('metrics-mlflow history <run> <metric> [--sparkline [--width N]]');
  });

  it('a tracking URI without a scheme is bad usage that names the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-cli-'));
    const r = cli('replay', dir, '--tracking-uri', '127.0.0.1:5000');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"127.0.0.1:5000" has no scheme; use "http://127.0.0.1:5000"');
  });
});
