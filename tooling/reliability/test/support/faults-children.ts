/**
 * Child processes for the fault, crash and load tests: `node --import tsx test/children/<file>` with
 * `@metrics/*` mapped to the packages' sources (children/tsconfig.json), so a child runs the same code
 * vitest does, never a stale dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const reliabilityDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const childrenDir = join(reliabilityDir, 'test', 'children');
export const repoDir = join(reliabilityDir, '..', '..');

/** Environment that makes tsx resolve `@metrics/*` to `packages/<name>/src`. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, TSX_TSCONFIG_PATH: join(childrenDir, 'tsconfig.json'), ...extra };
}

export interface Child {
  proc: ChildProcess;
  /** Everything the child printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in stdout (rejects if the child exits first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `test/children/<file>` (or an absolute .ts path) with `args`. */
export function startChild(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Child {
  const script = file.startsWith('/') ? file : join(childrenDir, file);
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: options.cwd ?? reliabilityDir,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const l of [...listeners]) l();
  });
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => {
      resolve({ code, signal });
      for (const l of [...listeners]) l();
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  // Never leave a child behind when the test process ends.
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  void exited.then(() => process.off('exit', reap));

  const waitFor = (re: RegExp, timeoutMs = 120_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m) {
          cleanup();
          resolve(m);
        } else if (done) {
          cleanup();
          reject(new Error(`child ${file} exited before printing ${re}\n--- stdout ---\n${out.slice(-2000)}\n--- stderr ---\n${err.slice(-4000)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`child ${file}: no ${re} within ${timeoutMs} ms\n--- stderr ---\n${err.slice(-4000)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  return { proc, stdout: () => out, stderr: () => err, waitFor, exited };
}

/** Runs a child to completion and returns its output. */
export async function runChild(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const child = startChild(file, args, options);
  const result = await child.exited;
  return { ...result, stdout: child.stdout(), stderr: child.stderr() };
}

/** The last stdout line that parses as JSON. */
export function lastJsonLine<T>(stdout: string): T {
  const line = stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .at(-1);
  if (!line) throw new Error(`no JSON line in child output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line) as T;
}

export { seededRandom } from '@metrics/oracle';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True when `values` (sorted) are exactly 0..values.length-1. */
export function isPrefixRange(values: readonly number[]): boolean {
  return values.every((v, i) => v === i);
}

const tempDirs: string[] = [];

/** A fresh temp directory, removed by `removeTempDirs()` (call it in afterAll). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
