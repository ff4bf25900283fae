import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LogSink, errorReply, transferables, type SinkMessage, type SinkOptions, type SinkReply } from './log-sink.js';

/**
 * Where an offline run's messages go: `send` hands one over in order; messages with `reply` (and
 * `flush`/`finish`) return a promise that settles once the writer has handled everything up to them.
 * After a failed write, `failure` is set and later messages are not sent.
 */
export interface WriterChannel {
  readonly kind: 'thread' | 'inline';
  send(message: SinkMessage): Promise<void> | undefined;
  readonly failure: Error | undefined;
  /** The writer has several messages still to handle: the sender should do what work it can itself. */
  readonly busy: boolean;
  /**
   * Blocks (at most `maxMs`) until a message can be sent without the writer falling far behind; false if it
   * cannot be yet (a writer thread still starting). For senders that never yield to the event loop.
   */
  waitForRoom(maxMs: number): boolean;
}

export type OfflineWriterMode = 'thread' | 'inline';

/** `script`: the writer thread's script (tests start a broken one). */
export function openWriterChannel(mode: OfflineWriterMode, options: SinkOptions, script = workerFile()): WriterChannel {
  if (mode === 'thread' && script && !WriterThread.unavailable.has(script)) {
    try {
      return WriterThread.get(script).open(options);
    } catch {
      // no worker threads here (a locked-down runtime): write on this thread
    }
  }
  return new InlineChannel(options);
}

function failureOf(reply: { error?: string; code?: string }): Error {
  return Object.assign(new Error(reply.error ?? 'offline writer failed'), reply.code ? { code: reply.code } : {});
}

/** The writer on the caller's thread: every message is handled before `send` returns. */
class InlineChannel implements WriterChannel {
  readonly kind = 'inline';
  readonly busy = false;
  private readonly sink: LogSink;
  failure: Error | undefined;

  constructor(options: SinkOptions) {
    this.sink = new LogSink(options);
  }

  waitForRoom(): boolean {
    return true; // every message is written before send returns
  }

  send(message: SinkMessage): Promise<void> | undefined {
    const wants = message.reply || message.flush || message.finish;
    // after a failure only `finish` is handled: it closes the file
    if (!this.failure || message.finish)
      try {
        this.sink.handle(message);
      } catch (error) {
        this.failure ??= failureOf(errorReply(error));
      }
    if (!wants) return undefined;
    return this.failure ? Promise.reject(this.failure) : Promise.resolve();
  }
}

/** Messages the thread has still to handle before the sender waits (bounds the memory a slow disk can hold up). */
const MAX_AHEAD = 64;
/**
 * Messages not yet handled from which the writer counts as busy (and the sender encodes the history items). The
 * caller's thread is the busier one in a training loop; it helps only when the writer is well behind. Measured
 * (tracker path, median of 35 runs per process, thresholds alternated): 8 → 410k–595k rows/s (median of seven
 * processes 558k), 16 → 418k–575k (511k), never → 405k–412k; 2 was the slowest with the earlier JSON-only help.
 */
const BUSY_AHEAD = 8;
/**
 * How long a sender that never yields lets a starting thread get ready (its records are spooled by the
 * pipeline meanwhile) before its run writes on the sender's thread for good. A thread starts on its own
 * (readiness is read from shared memory), but a loaded machine can take a second or more.
 */
const START_GRACE_MS = 3000;
/**
 * Bytes of messages that may wait for a thread still starting. Messages hold encoded records and typed
 * arrays (off the JS heap): a loop that never yields keeps going during the start, and its records do not
 * sit in the pipeline's queue as objects meanwhile (objects that live that long make V8 allocate every later
 * record straight into the old generation, which made a fresh process's whole run about a third slower).
 */
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;

/**
 * The one writer thread of the process, shared by its offline runs (so it starts once and its code
 * stays warm). It never keeps the process alive by itself; while a run waits for a reply it does (so an
 * awaited flush or finish completes).
 *
 * Messages wait here until the thread says it is ready. If it cannot start, nothing was written by it:
 * its runs write those messages and all later ones on their own thread, as do all later runs. If it
 * dies after starting, its runs fail (reported by their next write) and the next run starts a new one.
 */
class WriterThread {
  private static readonly running = new Map<string, WriterThread>();
  /** Scripts whose thread could not start once: later runs write inline. */
  static readonly unavailable = new Set<string>();
  private readonly worker: Worker;
  private readonly runs = new Map<number, ThreadChannel>();
  private nextRun = 1;
  private waiting = 0;
  private ready = false;
  private backlog: SinkMessage[] = [];
  private backlogBytes = 0;
  /** Messages posted to the thread, and (slot 0, written by the thread) messages it has handled. */
  private posted = 0;
  private readonly handled = new Int32Array(new SharedArrayBuffer(8));
  private readonly createdAt = performance.now();

  static get(file: string): WriterThread {
    let thread = WriterThread.running.get(file);
    if (!thread) WriterThread.running.set(file, (thread = new WriterThread(file)));
    return thread;
  }

  private constructor(private readonly file: string) {
    this.worker = startWorker(file, this.handled);
    this.worker.on('message', (reply: SinkReply | 'ready') => {
      if (reply === 'ready') return this.start();
      this.runs.get(reply.run ?? 0)?.answer(reply);
    });
    this.worker.on('error', (error) => this.die(error instanceof Error ? error : new Error(String(error))));
    this.worker.on('exit', (code) => this.die(new Error(`the offline writer thread stopped (exit code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  private start(): void {
    if (this.ready) return; // seen in shared memory first (waitForRoom), then the 'ready' message
    this.ready = true;
    for (const m of this.backlog) this.send(m);
    this.backlog = [];
    this.backlogBytes = 0;
  }

  /** The segments' arrays move to the thread (no copy); the sender no longer uses them. */
  private send(message: SinkMessage): void {
    this.worker.postMessage(message, transferables(message.segments));
    this.posted++;
  }

  /**
   * Messages the thread has still to handle. Read from shared memory, so it is current even while the
   * sender runs without yielding to the event loop (when replies wait unread).
   */
  get behind(): number {
    return this.ready ? this.posted - Atomics.load(this.handled, 0) : this.backlog.length;
  }

  /**
   * Whether the thread listens, read from shared memory (its 'ready' message may wait unread while the
   * sender never yields); if so, the backlog goes to it now.
   */
  syncReady(): boolean {
    if (!this.ready && Atomics.load(this.handled, 1) === 1 && WriterThread.running.get(this.file) === this) this.start();
    return this.ready;
  }

  /** Still starting, and within the time a sender that never yields gives it. */
  get withinStartGrace(): boolean {
    return !this.ready && performance.now() - this.createdAt < START_GRACE_MS;
  }

  /** The messages waiting for the thread to start may grow (see MAX_BACKLOG_BYTES). */
  get backlogHasRoom(): boolean {
    return this.backlogBytes < MAX_BACKLOG_BYTES;
  }

  /**
   * Blocks until fewer than `limit` messages wait on the (ready) thread, reading its progress from shared
   * memory: works while the sender never yields. False after `maxMs`.
   */
  waitForProgress(limit: number, maxMs: number): boolean {
    const until = performance.now() + maxMs;
    for (;;) {
      const handled = Atomics.load(this.handled, 0);
      if (this.posted - handled < limit) return true;
      const left = until - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.handled, 0, handled, left);
    }
  }

  /** Takes a run off a thread that has not started: returns its messages (none was posted) and forgets it. */
  detach(run: number): SinkMessage[] {
    const mine = this.backlog.filter((m) => m.run === run);
    this.backlog = this.backlog.filter((m) => m.run !== run);
    this.backlogBytes = this.backlog.reduce((sum, m) => sum + messageBytes(m), 0);
    this.forget(run);
    return mine;
  }

  private die(error: Error): void {
    if (WriterThread.running.get(this.file) === this) WriterThread.running.delete(this.file);
    const runs = [...this.runs.values()];
    this.runs.clear();
    if (!this.ready) {
      WriterThread.unavailable.add(this.file);
      const backlog = this.backlog;
      this.backlog = [];
      this.backlogBytes = 0;
      for (const run of runs) run.writeInline(backlog.filter((m) => m.run === run.run));
    } else for (const run of runs) run.fail(error);
    if (this.waiting > 0) {
      this.waiting = 0;
      this.worker.unref();
    }
  }

  open(options: SinkOptions): ThreadChannel {
    const channel = new ThreadChannel(this, this.nextRun++, options);
    this.runs.set(channel.run, channel);
    return channel;
  }

  post(message: SinkMessage): void {
    if (this.ready) this.send(message);
    else {
      this.backlog.push(message);
      this.backlogBytes += messageBytes(message);
    }
  }

  /** A run starts or stops waiting for a reply. */
  hold(delta: 1 | -1): void {
    this.waiting = Math.max(0, this.waiting + delta);
    if (delta === 1 && this.waiting === 1) this.worker.ref();
    else if (this.waiting === 0) this.worker.unref();
  }

  forget(run: number): void {
    this.runs.delete(run);
  }
}

/** One run's messages to the writer thread (or, if the thread could not start, to an inline writer). */
class ThreadChannel implements WriterChannel {
  /** Messages whose sender waits for the reply (meanwhile the thread keeps the process alive). */
  private readonly waiting = new Map<number, Waiter>();
  private opened = false;
  private finishSeq = -1;
  private inline: InlineChannel | undefined;
  private failed: Error | undefined;

  constructor(
    private readonly thread: WriterThread,
    readonly run: number,
    private readonly options: SinkOptions,
  ) {}

  get kind(): 'thread' | 'inline' {
    return this.inline ? 'inline' : 'thread';
  }

  get busy(): boolean {
    return !this.inline && this.thread.behind >= BUSY_AHEAD;
  }

  get failure(): Error | undefined {
    return this.inline ? this.inline.failure : this.failed;
  }

  /**
   * A thread still starting is not waited for: during its start grace, messages wait for it in its backlog up
   * to MAX_BACKLOG_BYTES, then it is "not now" (false: the pipeline keeps or spools the records); past it,
   * this run writes on the caller's thread from here on, its messages so far first (a thread that cannot get
   * ready without this thread's event loop). A running thread is waited for until it is not far behind.
   */
  waitForRoom(maxMs: number): boolean {
    if (this.inline || this.failed) return true; // inline: written at once; failed: send reports it
    if (!this.thread.syncReady()) {
      // Starting: messages wait in the backlog up to its bound, then "not now" (the pipeline keeps the records).
      if (this.thread.withinStartGrace) return this.thread.backlogHasRoom;
      this.writeInline(this.thread.detach(this.run));
      return true;
    }
    return this.thread.waitForProgress(MAX_AHEAD, maxMs);
  }

  send(message: SinkMessage): Promise<void> | undefined {
    if (this.inline) return this.inline.send(message);
    const wants = message.reply || message.flush || message.finish;
    message.run = this.run;
    if (!this.opened) {
      message.open = this.options;
      this.opened = true;
    }
    if (message.finish) this.finishSeq = message.seq;
    if (this.failed) {
      if (message.finish) {
        this.thread.post(message); // the writer still closes the file
        this.thread.forget(this.run);
      }
      return wants ? Promise.reject(this.failed) : undefined;
    }
    // Far behind (progress read from shared memory): this message asks for a reply and the sender waits.
    if (this.thread.behind >= MAX_AHEAD) message.reply = true;
    if (!wants && !message.reply) {
      this.thread.post(message);
      return undefined;
    }
    message.reply = true;
    const settled = new Promise<void>((resolve, reject) => this.waiting.set(message.seq, { resolve, reject }));
    this.thread.hold(1);
    this.thread.post(message);
    return settled;
  }

  answer(reply: SinkReply): void {
    if (reply.error !== undefined) this.failed ??= failureOf(reply);
    this.settleUpTo(reply.seq);
  }

  fail(error: Error): void {
    this.failed ??= error;
    this.settleUpTo(Number.POSITIVE_INFINITY);
  }

  /** The thread never started: these messages (all this run sent) are written here, and all later ones. */
  writeInline(messages: readonly SinkMessage[]): void {
    const inline = new InlineChannel(this.options);
    this.inline = inline;
    for (const m of messages) {
      void inline.send(m)?.catch(() => {});
      this.settleUpTo(m.seq);
    }
  }

  /** Replies come in message order: everything up to `seq` is handled. */
  private settleUpTo(seq: number): void {
    for (const [s, w] of this.waiting) {
      if (s > seq) break;
      this.waiting.delete(s);
      if (s === this.finishSeq) this.thread.forget(this.run);
      const failure = this.failure;
      if (failure) w.reject(failure);
      else w.resolve();
      this.thread.hold(-1);
    }
  }
}

/** About what a message holds in memory while it waits: its segments' bytes (key names and texts are small). */
function messageBytes(message: SinkMessage): number {
  let bytes = 0;
  for (const s of message.segments ?? [])
    bytes += s instanceof Uint8Array ? s.byteLength : (s.buffer?.byteLength ?? s.rows.byteLength + s.keyIds.byteLength + s.numbers.byteLength);
  return bytes;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** The writer thread's script next to this module: dist/write-worker.{js,cjs}, or the .ts source in development. */
function workerFile(): string | undefined {
  let here: string;
  try {
    here = fileURLToPath(import.meta.url);
  } catch {
    return undefined;
  }
  const file = join(dirname(here), `write-worker${extname(here)}`);
  return existsSync(file) ? file : undefined;
}

/** TypeScript sources (tests, `tsx` runs) load through tsx, registered in the thread first. */
function startWorker(file: string, handled: Int32Array): Worker {
  const options = { stdout: false, stderr: false, workerData: { handled } } as const;
  if (!file.endsWith('.ts')) return new Worker(file, options);
  const tsx = createRequire(import.meta.url).resolve('tsx/esm/api');
  const boot = `require(${JSON.stringify(tsx)}).register(); import(${JSON.stringify(pathToFileURL(file).href)});`;
  return new Worker(boot, { ...options, eval: true });
}
