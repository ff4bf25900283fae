import type { RunOutcome } from './spec.js';

/**
 * Open trackers, closed together when the process is about to end: on `beforeExit` (the program
 * forgot `close()`), and on SIGINT/SIGTERM (runs end as KILLED). Listeners are installed once, only while
 * at least one tracker is open, and the signal is re-raised afterwards so the program still exits the
 * way it would have without us.
 */
export interface Closable {
  close(outcome?: RunOutcome, options?: { timeoutMs?: number }): Promise<void>;
}

const open = new Set<Closable>();
let installed = false;
let crashed: unknown;
let exitTimeoutMs = 5000;

function closeAll(outcome: RunOutcome): Promise<void> {
  const all = [...open];
  open.clear();
  uninstall();
  return Promise.allSettled(all.map((t) => t.close(outcome, { timeoutMs: exitTimeoutMs }))).then(() => undefined);
}

function onBeforeExit(): void {
  if (open.size === 0) return;
  void closeAll(crashed === undefined ? { status: 'finished' } : { status: 'failed', error: crashed });
}

function onSignal(signal: NodeJS.Signals): void {
  void closeAll({ status: 'killed', signal }).finally(() => {
    // Someone else handles this signal too: leave the decision to them. Otherwise exit as the signal would.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function onCrash(error: unknown): void {
  crashed = error;
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('beforeExit', onBeforeExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('uncaughtExceptionMonitor', onCrash);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('beforeExit', onBeforeExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('uncaughtExceptionMonitor', onCrash);
}

export function registerForExit(tracker: Closable, timeoutMs?: number): void {
  if (timeoutMs !== undefined) exitTimeoutMs = timeoutMs;
  open.add(tracker);
  install();
}

export function unregisterForExit(tracker: Closable): void {
  open.delete(tracker);
  if (open.size === 0) uninstall();
}

/** The error that crashed the process, if one is being reported (so close() can end runs as FAILED). */
export function crashError(): unknown {
  return crashed;
}
