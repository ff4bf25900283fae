import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Browser } from 'playwright-core';

export type { Browser, Page } from 'playwright-core';
import { withDirLock } from './lock.js';
import { cacheRoot } from './venv.js';

/** Debian's Chromium: the browser the screenshot tests drive (Playwright downloads no browser of its own). */
export interface Chromium {
  executable: string;
  /** `chromium --version`, e.g. "Chromium 156.0.8078.129 built on Debian GNU/Linux 12 (bookworm)". */
  version: string;
}

const INSTALL_HINT = "Install Debian's Chromium: `apt-get install chromium` (as root), or point METRICS_CHROMIUM at a Chromium binary.";

let memo: Promise<Chromium> | undefined;

/**
 * The `chromium` binary: METRICS_CHROMIUM, else `chromium` on PATH. When it is missing and this process
 * is root on a machine with apt (a clean CI machine), it installs Debian's package once (under a lock:
 * vitest workers may all ask at once); otherwise it throws saying what to install. Never skips.
 */
export function ensureChromium(): Promise<Chromium> {
  memo ??= findOrInstall().catch((err: unknown) => {
    memo = undefined;
    throw err;
  });
  return memo;
}

/** Headless Chromium (new headless mode) driven by Playwright over CDP; the caller closes it. */
export async function launchChromium(): Promise<Browser> {
  const { executable } = await ensureChromium();
  // Loaded here, not at the top: every oracle test imports this package, few drive a browser.
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: executable,
    headless: true,
    // --no-sandbox: Chromium's sandbox refuses to run as root, which is how the CI machine runs.
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required'],
    timeout: 120_000,
  });
}

function probe(executable: string): Chromium | undefined {
  const r = spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) return undefined;
  return { executable, version: r.stdout.trim() };
}

/** `name`'s path in the first directory of `env.PATH` holding an executable of that name. */
function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * The installed Chromium (METRICS_CHROMIUM, else `chromium` on `env.PATH`); `'install'` when it is
 * missing and apt can install it; otherwise throws saying what to install. Separate for its tests.
 */
export function findChromium(env: NodeJS.ProcessEnv, canInstall: boolean): Chromium | 'install' {
  const explicit = env.METRICS_CHROMIUM;
  if (explicit) {
    const found = probe(explicit);
    if (!found) throw new Error(`@metrics/oracle: METRICS_CHROMIUM=${explicit} does not run (\`${explicit} --version\` failed). ${INSTALL_HINT}`);
    return found;
  }
  const existing = findOnPath(env);
  if (existing) return existing;
  if (!canInstall) throw new Error(`@metrics/oracle: the screenshot tests need Chromium, and \`chromium\` is not on PATH. ${INSTALL_HINT}`);
  return 'install';
}

async function findOrInstall(): Promise<Chromium> {
  const found = findChromium(process.env, process.getuid?.() === 0 && onPath('apt-get') !== undefined);
  if (found !== 'install') return found;
  mkdirSync(cacheRoot(), { recursive: true });
  return withDirLock(
    join(cacheRoot(), 'chromium-install.lock'),
    {
      timeoutMs: 30 * 60_000,
      staleMs: 30 * 60_000,
      onWait: (owner) => progress(`waiting for another process (${owner}) installing Chromium`),
    },
    async () => {
      const again = findOnPath(); // installed by whoever held the lock before us
      if (again) return again;
      const t0 = Date.now();
      progress("`chromium` is not installed: installing Debian's package (apt-get install chromium; once per machine)");
      // The package lists of a fresh machine may be empty or old: refresh them first.
      await apt(['update']);
      await apt(['install', '-y', 'chromium']);
      const installed = findOnPath();
      if (!installed) throw new Error(`@metrics/oracle: apt-get install chromium finished but \`chromium --version\` does not run. ${INSTALL_HINT}`);
      progress(`${installed.version} installed in ${Math.round((Date.now() - t0) / 1000)} s`);
      return installed;
    },
  );
}

function findOnPath(env: NodeJS.ProcessEnv = process.env): Chromium | undefined {
  const path = onPath('chromium', env);
  return path ? probe(path) : undefined;
}

/** apt-get with its output as progress; waits for another apt/dpkg holding the lock instead of failing. */
function apt(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('apt-get', ['-o', 'DPkg::Lock::Timeout=900', ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        process.stderr.write(`[@metrics/oracle] ${line}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => reject(new Error(`@metrics/oracle: could not run apt-get ${args[0]}: ${err.message}. ${INSTALL_HINT}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`@metrics/oracle: apt-get ${args.join(' ')} failed (exit ${code}). ${INSTALL_HINT}\n${tail.join('\n')}`));
    });
  });
}

function progress(msg: string): void {
  process.stderr.write(`[@metrics/oracle] ${msg}\n`);
}
