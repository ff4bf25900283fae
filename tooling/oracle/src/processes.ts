import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Every process group started by the harness; killed when the test process exits, however it exits. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

/** Signals the child's whole process group (the servers fork workers and data-server binaries). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  // Even when the leader has exited its group may still hold children, so always signal the group.
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** Keeps the last lines of a process's output, for error messages. */
export class LogTail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max = 200) {}
  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
    }
  }
  text(lastN = 60): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-lastN).join('\n');
  }
}

const supervisor = fileURLToPath(new URL('../python/supervise.py', import.meta.url));

export interface Supervised {
  child: ChildProcess;
  log: LogTail;
  exited: Promise<number | null>;
}

/**
 * Starts `command args` in its own process group under a tiny Python supervisor that kills the group
 * when our stdin pipe closes, so servers die even if this Node process is SIGKILLed.
 */
export function spawnSupervised(python: string, command: string, args: string[], options: SpawnOptions & { env: NodeJS.ProcessEnv }): Supervised {
  installExitHook();
  const child = spawn(python, [supervisor, command, ...args], {
    ...options,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const log = new LogTail();
  child.stdout?.on('data', (c: Buffer) => log.push(c));
  child.stderr?.on('data', (c: Buffer) => log.push(c));
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
    child.on('error', (err) => {
      log.push(`spawn error: ${err.message}\n`);
      live.delete(child);
      resolve(null);
    });
  });
  // Don't keep the event loop alive just for these.
  child.unref();
  (child.stdout as unknown as { unref?: () => void })?.unref?.();
  (child.stderr as unknown as { unref?: () => void })?.unref?.();
  (child.stdin as unknown as { unref?: () => void })?.unref?.();
  return { child, log, exited };
}

/** SIGTERM the group, wait up to `graceMs`, then SIGKILL it. */
export async function stopSupervised(s: Supervised, graceMs = 10_000): Promise<void> {
  s.child.ref(); // keep the event loop alive until the exit is seen
  if (s.child.exitCode === null && s.child.signalCode === null) {
    killGroup(s.child, 'SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([s.exited, timer])) === 'timeout') killGroup(s.child, 'SIGKILL');
    await s.exited;
  }
  // Stragglers in the group (workers, data server) get no second chance.
  killGroup(s.child, 'SIGKILL');
}

/** Tracks a short-lived process (runPython) so it is killed on exit too. */
/** SIGKILL the group and wait for the leader's exit. */
export async function killSupervised(s: Supervised): Promise<void> {
  s.child.ref();
  killGroup(s.child, 'SIGKILL');
  await s.exited;
}

export function trackChild(child: ChildProcess): void {
  installExitHook();
  live.add(child);
  child.on('exit', () => live.delete(child));
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
