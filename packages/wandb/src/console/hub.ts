import { StringDecoder } from 'node:string_decoder';
import type { Logger } from '@metrics/core';

export type ConsoleStream = 'stdout' | 'stderr';
/** Receives the text of every write to stdout/stderr while subscribed (never our own logger lines). */
export type ChunkListener = (stream: ConsoleStream, text: string, timeMs: number) => void;

type WriteFn = (...args: unknown[]) => boolean;

interface StreamHook {
  target: NodeJS.WriteStream;
  /** What `write` was before we wrapped it; every call goes on to it unchanged. */
  original: WriteFn;
  wrapper: WriteFn;
  /** Whether `write` was an own property (else we delete ours to uncover the prototype's again). */
  hadOwn: boolean;
  /** Buffers may split a UTF-8 character across writes. */
  decoder: StringDecoder;
}

interface Hub {
  listeners: Set<ChunkListener>;
  hooks: Partial<Record<ConsoleStream, StreamHook>>;
  /** > 0 while our own code runs (logger lines, delivery): writes then pass through uncaptured. */
  quiet: number;
}

// One hub per process, shared by every copy of this package (ESM and CJS builds, several versions), so
// stdout is wrapped once however many runs capture it.
const HUB_KEY = Symbol.for('@metrics/wandb/console-hub/v1');
const STREAMS: readonly ConsoleStream[] = ['stdout', 'stderr'];

function hub(): Hub {
  const g = globalThis as { [HUB_KEY]?: Hub };
  return (g[HUB_KEY] ??= { listeners: new Set(), hooks: {}, quiet: 0 });
}

/** The text a write puts on the terminal. Throws on an unknown encoding (the real write throws too). */
function textOf(hook: StreamHook, chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') {
    if (typeof encoding !== 'string' || encoding === 'utf8' || encoding === 'utf-8' || encoding === 'buffer') return chunk;
    return Buffer.from(chunk, encoding as BufferEncoding).toString('utf8');
  }
  if (chunk instanceof Uint8Array) return hook.decoder.write(chunk);
  return '';
}

function install(h: Hub, stream: ConsoleStream): void {
  const target = process[stream];
  const current = h.hooks[stream];
  if (current && target.write === (current.wrapper as unknown)) return;
  // Not wrapped yet, or something replaced `write` after us: wrap what is there now. An older wrapper of
  // ours still in the chain goes inactive (it checks it is the current one), so nothing is captured twice.
  const original = target.write as unknown as WriteFn;
  const hadOwn = Object.hasOwn(target, 'write');
  const hook: StreamHook = { target, original, hadOwn, decoder: current?.decoder ?? new StringDecoder('utf8'), wrapper: undefined as unknown as WriteFn };
  hook.wrapper = function captureWrite(this: unknown, ...args: unknown[]): boolean {
    if (h.quiet === 0 && h.listeners.size > 0 && h.hooks[stream] === hook) {
      h.quiet++;
      try {
        const text = textOf(hook, args[0], args[1]);
        if (text !== '') {
          const now = Date.now();
          for (const listener of h.listeners) {
            try {
              listener(stream, text, now);
            } catch {
              // capturing must never break the program's own output
            }
          }
        }
      } catch {
        // an unknown encoding: the write below reports it as it always would
      } finally {
        h.quiet--;
      }
    }
    return original.apply(this, args);
  };
  h.hooks[stream] = hook;
  target.write = hook.wrapper as unknown as NodeJS.WriteStream['write'];
}

function uninstall(h: Hub, stream: ConsoleStream): void {
  const hook = h.hooks[stream];
  if (!hook || hook.target.write !== (hook.wrapper as unknown)) return; // someone wrapped over us: stay, as a pass-through
  if (hook.hadOwn) hook.target.write = hook.original as unknown as NodeJS.WriteStream['write'];
  else delete (hook.target as { write?: unknown }).write;
  delete h.hooks[stream];
}

/**
 * Starts receiving stdout/stderr writes; returns the function that stops. The streams are wrapped
 * while at least one listener is subscribed and restored when the last one leaves.
 */
export function subscribeConsole(listener: ChunkListener): () => void {
  const h = hub();
  h.listeners.add(listener);
  for (const s of STREAMS) install(h, s);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    h.listeners.delete(listener);
    if (h.listeners.size === 0) for (const s of STREAMS) uninstall(h, s);
  };
}

/** Runs `fn` with capture paused: what it writes reaches the terminal but no run's console log. */
export function withoutCapture<T>(fn: () => T): T {
  const h = hub();
  h.quiet++;
  try {
    return fn();
  } finally {
    h.quiet--;
  }
}

/** A logger whose lines are never captured (our own messages must not end up in the run's output). */
export function uncapturedLogger(logger: Logger): Logger {
  return {
    debug: (m) => withoutCapture(() => logger.debug(m)),
    info: (m) => withoutCapture(() => logger.info(m)),
    success: (m) => withoutCapture(() => logger.success(m)),
    warn: (m) => withoutCapture(() => logger.warn(m)),
    error: (m) => withoutCapture(() => logger.error(m)),
    warnOnce: (key, m) => withoutCapture(() => logger.warnOnce(key, m)),
    errorOnce: (key, m) => withoutCapture(() => logger.errorOnce(key, m)),
  };
}
