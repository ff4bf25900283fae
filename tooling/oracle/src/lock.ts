import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isRunning } from './processes.js';

export interface LockOptions {
  /** Give up waiting after this long. */
  timeoutMs: number;
  /** A lock older than this is stale even if its owner pid looks alive (pid reuse, hung installer). */
  staleMs: number;
  /** Called once while waiting, so the user knows why nothing happens. */
  onWait?: (owner: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A cross-process lock: `mkdir` is atomic, so exactly one process creates the directory. The owner
 * writes its pid; waiters break the lock when that pid is dead or the lock is older than `staleMs`.
 */
export async function withDirLock<T>(dir: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'owner'), `${process.pid}@${hostname()} ${new Date().toISOString()}\n`);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(dir);
    if (isStale(dir, owner, opts.staleMs)) {
      // Rename first so two waiters breaking the same stale lock can't delete a fresh one.
      const grave = `${dir}.stale-${process.pid}-${Date.now()}`;
      try {
        renameSync(dir, grave);
        rmSync(grave, { recursive: true, force: true });
      } catch {
        /* someone else broke it */
      }
      continue;
    }
    if (!announced) {
      announced = true;
      opts.onWait?.(owner ?? 'unknown');
    }
    if (Date.now() - started > opts.timeoutMs) {
      throw new Error(
        `@metrics/oracle: timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for lock ${dir} ` +
          `(held by ${owner ?? 'unknown'}). If no install is running, delete that directory.`,
      );
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readOwner(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, 'owner'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isStale(dir: string, owner: string | undefined, staleMs: number): boolean {
  let age: number;
  try {
    age = Date.now() - statSync(dir).mtimeMs;
  } catch {
    return false; // vanished: the loop retries mkdir
  }
  if (age > staleMs) return true;
  if (owner === undefined) return age > 10_000; // owner file not written yet, or the owner died right after mkdir
  const m = /^(\d+)@(\S+)/.exec(owner);
  if (!m) return age > 10_000;
  const [, pid, host] = m;
  return host === hostname() && !isRunning(Number(pid));
}
