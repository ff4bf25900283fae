import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withDirLock } from './lock.js';

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'oracle-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const opts = { timeoutMs: 10_000, staleMs: 60_000 };

/** A pid that surely belongs to no running process: one that just exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('withDirLock', () => {
  it('runs holders one at a time and releases the lock', async () => {
    const lock = join(scratch(), 'x.lock');
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((i) =>
        withDirLock(lock, opts, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await sleep(50);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order.sort()).toEqual([1, 2, 3]);
    expect(existsSync(lock)).toBe(false);
  });

  it('releases the lock when the holder throws', async () => {
    const lock = join(scratch(), 'x.lock');
    await expect(withDirLock(lock, opts, async () => Promise.reject(new Error('install failed')))).rejects.toThrow('install failed');
    expect(existsSync(lock)).toBe(false);
  });

  it('breaks a lock whose owner process is dead', async () => {
    const lock = join(scratch(), 'x.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), `${deadPid()}@${hostname()} 2026-01-01T00:00:00Z\n`);
    await expect(withDirLock(lock, opts, async () => 'got it')).resolves.toBe('got it');
  });

  it('breaks a lock older than staleMs even if its owner looks alive', async () => {
    const lock = join(scratch(), 'x.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), `${process.pid}@${hostname()} old\n`);
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(lock, old, old);
    await expect(withDirLock(lock, opts, async () => 'got it')).resolves.toBe('got it');
  });

  it('waits for a live owner and times out with a message naming the lock', async () => {
    const lock = join(scratch(), 'x.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), `${process.pid}@${hostname()} now\n`);
    let waited = '';
    await expect(withDirLock(lock, { timeoutMs: 1_200, staleMs: 60_000, onWait: (o) => (waited = o) }, async () => 'never')).rejects.toThrow(
      /timed out[\s\S]*x\.lock/,
    );
    expect(waited).toContain(String(process.pid));
  });
});
