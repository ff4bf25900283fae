import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basePython, cacheRoot, venvDirFor } from './venv.js';

describe('python guards (never skip silently)', () => {
  let dir: string;
  const saved = { py: process.env.METRICS_PYTHON, xdg: process.env.XDG_CACHE_HOME };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oracle-guard-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved.py === undefined) delete process.env.METRICS_PYTHON;
    else process.env.METRICS_PYTHON = saved.py;
    if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.xdg;
  });

  /** A fake interpreter: prints `version` for the version probe, exits `venvExit` for the venv probe. */
  function fakePython(version: string, venvExit: number): string {
    const exe = join(dir, 'python-fake');
    writeFileSync(exe, `#!/bin/sh\ncase "$2" in *ensurepip*) exit ${venvExit};; esac\necho ${version}\n`);
    chmodSync(exe, 0o755);
    return exe;
  }

  it('says to install Python 3.10+ when the interpreter is missing', () => {
    process.env.METRICS_PYTHON = join(dir, 'no-such-python');
    expect(() => basePython()).toThrow(/Install Python 3\.10 or newer/);
  });

  it('says to install Python 3.10+ when the interpreter is too old', () => {
    process.env.METRICS_PYTHON = fakePython('3.8', 0);
    expect(() => basePython()).toThrow(/is 3\.8\. Install Python 3\.10 or newer/);
  });

  it('says to install python3-venv when venv/ensurepip are missing', () => {
    process.env.METRICS_PYTHON = fakePython('3.12', 1);
    expect(() => basePython()).toThrow(/apt-get install python3-venv/);
  });

  it('accepts a good interpreter and keys the venv dir by pins and Python minor', () => {
    process.env.METRICS_PYTHON = fakePython('3.12', 0);
    expect(basePython().minor).toBe('3.12');
    process.env.XDG_CACHE_HOME = dir;
    expect(cacheRoot()).toBe(join(dir, 'metrics-oracle'));
    const a = venvDirFor('3.11');
    expect(a).toMatch(/metrics-oracle\/venv-[0-9a-f]{12}-py3\.11$/);
    expect(venvDirFor('3.12')).not.toBe(a.replace('py3.11', 'py3.12'));
    expect(venvDirFor('3.11')).toBe(a);
  });
});
