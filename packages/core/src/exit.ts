import { inspect } from 'node:util';
import type { RunOutcome } from './spec.js';

/**
 * Open trackers, closed together when the process is about to end: on `beforeExit` (the program
 * forgot `close()`), on SIGINT/SIGTERM (runs end as KILLED) and on a crash (an uncaught exception, or an
 * unhandled rejection, which Node raises as one: runs end as FAILED). Listeners are installed once, only
 * while at least one tracker is open, and the process then ends the way it would have without us.
 *
 * Why `uncaughtException` and not `uncaughtExceptionMonitor`: a monitor cannot delay the exit (Node dies
 * right after calling it), so nothing asynchronous (a last HTTP request, a file flush) could finish.
 * A listener on `uncaughtException` keeps the process alive, which changes what a crash does; so, as
 * error-reporting SDKs do (Sentry's Node SDK), we emulate Node's own death only when ours is the only
 * listener: print the error as Node does, close the runs, exit with code 1. When the program has its own
 * listener, the decision is its: we close the runs as FAILED and leave the process alone.
 */
export interface Closable {
  close(outcome?: RunOutcome, options?: { timeoutMs?: number }): Promise<unknown>;
}

const open = new Set<Closable>();
let installed = false;
let crashed: unknown;
let crashing = false;
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

/** Other `uncaughtException` listeners that are the program's own (not ours, not another SDK's flush hook). */
function programListeners(): number {
  return process.listeners('uncaughtException').filter((l) => l !== onCrash && (l as { _errorHandler?: boolean })._errorHandler !== true).length;
}

function onCrash(error: unknown): void {
  crashed = error;
  // A second error while the first is being handled: the process is ending for the first one already.
  if (crashing) return;
  crashing = true;
  const dieLikeNode = programListeners() === 0;
  if (dieLikeNode) printLikeNode(error);
  const done = () => {
    process.off('uncaughtException', onCrash);
    crashing = false;
    if (dieLikeNode) process.exit(1);
  };
  // The runs' own close is bounded by exitTimeoutMs; this bounds an exporter that ignores its deadline.
  const cap = setTimeout(done, exitTimeoutMs + 2000);
  cap.unref();
  void closeAll({ status: 'failed', error }).finally(() => {
    clearTimeout(cap);
    done();
  });
}
// The mark error-reporting SDKs (Sentry) use to tell a flush hook from the program's own handler.
(onCrash as { _errorHandler?: boolean })._errorHandler = true;

/**
 * What Node prints for an uncaught error, minus the source-line excerpt (Node keeps that private): the
 * error as `util.inspect` shows it, then the Node.js version.
 */
function printLikeNode(error: unknown): void {
  // Two copies of this module (an ESM and a CJS build in one program) each listen; print once.
  const printed = Symbol.for('@metrics/core:crash-printed');
  const registry = process as unknown as Record<symbol, unknown>;
  if (registry[printed] === error) return;
  registry[printed] = error;
  const shown = error instanceof Error ? inspect(error) : `Uncaught ${inspect(error)}`;
  process.stderr.write(`\n${shown}\n\nNode.js ${process.version}\n`);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('beforeExit', onBeforeExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Not for unhandledRejection: without a listener of its own, Node raises an unhandled rejection as an
  // uncaught exception (it reaches onCrash); with one, the program has decided it is not fatal.
  if (!process.listeners('uncaughtException').includes(onCrash)) process.on('uncaughtException', onCrash);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('beforeExit', onBeforeExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // While a crash is being handled the listener stays: it ends the process once the runs are closed.
  if (!crashing) process.off('uncaughtException', onCrash);
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
