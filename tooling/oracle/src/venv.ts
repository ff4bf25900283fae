import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDirLock } from './lock.js';
import { spawnSupervised } from './processes.js';

export interface Venv {
  /** Absolute path of the venv's python. */
  python: string;
  /** Directory of the venv. */
  dir: string;
  /** Absolute path of an executable in the venv's bin/ (e.g. `bin('mlflow')`). */
  bin(name: string): string;
  /** Environment for processes that should run "inside" the venv (PATH, VIRTUAL_ENV, no telemetry). */
  env: NodeJS.ProcessEnv;
  /** Versions of the pinned tools as reported by the installed packages. */
  versions: Record<string, string>;
}

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const requirementsFile = join(packageDir, 'requirements.txt');
export const constraintsFile = join(packageDir, 'constraints.txt');
const MARKER = '.metrics-oracle-ready.json';

/** The modules that must import before a venv counts as ready. */
const IMPORT_CHECK = `
import json, importlib.metadata as md
import mlflow, tensorboard, wandb, tensorboardX, numpy, google.protobuf, psycopg
import tensorboard_data_server, os
binary = tensorboard_data_server.server_binary()
assert binary and os.access(binary, os.X_OK), "tensorboard-data-server binary missing"
print(json.dumps({p: md.version(p) for p in ["mlflow", "tensorboard", "tensorboard-data-server", "wandb", "tensorboardX", "protobuf", "numpy", "psycopg"]}))
`;

let memo: Promise<Venv> | undefined;

/**
 * The pinned virtualenv with the real tools, created on first use and reused by every later run
 * (keyed by a hash of the pins and the Python minor version). Safe to call from many workers at once.
 */
export function ensureVenv(): Promise<Venv> {
  memo ??= createOrReuse().catch((err: unknown) => {
    memo = undefined;
    throw err;
  });
  return memo;
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'metrics-oracle');
}

/** Which python builds the venv: METRICS_PYTHON, else python3 on PATH. Must be 3.10+ with venv/ensurepip. */
export function basePython(): { exe: string; minor: string } {
  const exe = process.env.METRICS_PYTHON || 'python3';
  const probe = spawnSync(exe, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `@metrics/oracle needs Python 3.10+ to build its tool virtualenv, but \`${exe}\` did not run ` +
        `(${probe.error?.message ?? probe.stderr.trim()}). Install Python 3.10 or newer (e.g. \`apt-get install python3 python3-venv\`) ` +
        `or point METRICS_PYTHON at one.`,
    );
  }
  const minor = probe.stdout.trim();
  const [maj, min] = minor.split('.').map(Number);
  if (maj !== 3 || min < 10) {
    throw new Error(`@metrics/oracle needs Python 3.10+, but \`${exe}\` is ${minor}. Install Python 3.10 or newer, or set METRICS_PYTHON.`);
  }
  const venvOk = spawnSync(exe, ['-c', 'import venv, ensurepip'], { encoding: 'utf8' });
  if (venvOk.status !== 0) {
    throw new Error(
      `@metrics/oracle: \`${exe}\` (Python ${minor}) lacks the venv/ensurepip modules. ` +
        `Install them, e.g. \`apt-get install python3-venv\` (or python${minor}-venv).`,
    );
  }
  return { exe, minor };
}

export function venvDirFor(minor: string): string {
  const h = createHash('sha256');
  h.update(readFileSync(requirementsFile));
  h.update('\0');
  h.update(readFileSync(constraintsFile));
  h.update(`\0py${minor}`);
  return join(cacheRoot(), `venv-${h.digest('hex').slice(0, 12)}-py${minor}`);
}

function venvFrom(dir: string, versions: Record<string, string>): Venv {
  const bin = (name: string) => join(dir, 'bin', name);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VIRTUAL_ENV: dir,
    PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    // The machine has no network beyond package registries; keep the tools from phoning home.
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: '1',
    WANDB_DISABLE_GIT: 'true',
    WANDB_SILENT: 'true',
    WANDB_ERROR_REPORTING: 'false',
  };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  return { python: bin('python'), dir, bin, env, versions };
}

function readMarker(dir: string): Record<string, string> | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { versions: Record<string, string> };
    return existsSync(join(dir, 'bin', 'python')) ? m.versions : undefined;
  } catch {
    return undefined;
  }
}

async function createOrReuse(): Promise<Venv> {
  const { exe, minor } = basePython();
  const dir = venvDirFor(minor);
  const ready = readMarker(dir);
  if (ready) return venvFrom(dir, ready);

  mkdirSync(cacheRoot(), { recursive: true });
  return withDirLock(
    `${dir}.lock`,
    {
      timeoutMs: 30 * 60_000,
      staleMs: 30 * 60_000,
      onWait: (owner) => progress(`waiting for another process (${owner}) building ${dir}`),
    },
    async () => {
      const again = readMarker(dir); // built by whoever held the lock before us
      if (again) return venvFrom(dir, again);
      const t0 = Date.now();
      progress(`building the tool virtualenv in ${dir} (takes a few minutes on first use)`);
      rmSync(dir, { recursive: true, force: true }); // a half-built venv is never reused
      await run(exe, exe, ['-m', 'venv', dir], 'python -m venv');
      const py = join(dir, 'bin', 'python');
      await run(
        exe,
        py,
        ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '-r', requirementsFile],
        'pip install',
        dirname(requirementsFile),
      );
      const versions = JSON.parse(lastLine(await run(exe, py, ['-c', IMPORT_CHECK], 'import check'))) as Record<string, string>;
      writeFileSync(join(dir, MARKER), JSON.stringify({ versions, createdAt: new Date().toISOString() }, null, 2));
      progress(`virtualenv ready in ${Math.round((Date.now() - t0) / 1000)} s: ${JSON.stringify(versions)}`);
      return venvFrom(dir, versions);
    },
  );
}

function progress(msg: string): void {
  process.stderr.write(`[@metrics/oracle] ${msg}\n`);
}

function lastLine(s: string): string {
  const lines = s.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

/**
 * Runs a setup step under the supervisor (its own process group, killed if this process dies, so an
 * orphaned pip never writes into a venv that the next builder is recreating). Echoes its output to
 * stderr as progress; rejects with the output tail on failure.
 */
function run(python: string, cmd: string, args: string[], what: string, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = spawnSupervised(python, cmd, args, {
      cwd,
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' },
    });
    s.child.ref();
    let stdout = '';
    s.child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (what !== 'import check') process.stderr.write(prefixLines(c.toString()));
    });
    s.child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefixLines(c.toString())));
    void s.exited.then((code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`@metrics/oracle: ${what} failed (exit ${code}):\n${s.log.text(60)}`));
    });
  });
}

function prefixLines(s: string): string {
  return s
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => `[@metrics/oracle] ${l}\n`)
    .join('');
}
