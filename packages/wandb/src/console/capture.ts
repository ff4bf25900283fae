import type { Logger } from '@metrics/core';
import { subscribeConsole, withoutCapture, type ConsoleStream } from './hub.js';

/** One captured console line. */
export interface ConsoleLine {
  stream: ConsoleStream;
  /** When the line's first character was written (ms since the epoch). */
  timeMs: number;
  /** The text without its newline (a `\r` before it is kept: it is what was written). */
  text: string;
}

export interface ConsoleCaptureStats {
  /** Lines handed on to the run. */
  lines: number;
  /** Lines dropped because the buffer was full (the run was not taking them fast enough). */
  droppedLines: number;
  /** Over-long partial lines cut into pieces of `maxLineChars`. */
  splitLines: number;
}

export interface ConsoleCaptureOptions {
  /** Receives complete lines in order, at most every `drainDelayMs` and on drain()/stop(). */
  deliver: (lines: ConsoleLine[]) => void;
  logger: Logger;
  /** Characters of complete lines held before delivery; more are dropped and counted. Default 4 Mi. */
  maxBufferedChars?: number;
  /** A line still without newline at this length is delivered as a piece. Default 64 Ki. */
  maxLineChars?: number;
  /** Delay before buffered lines are delivered. Default 100 ms. */
  drainDelayMs?: number;
}

/**
 * Captures what the program writes to stdout and stderr while a run is open (W&B's `console: 'wrap'`):
 * the program's writes go through unchanged; the text is split into lines (a partial line waits for
 * its newline or stop()) and buffered, bounded, for the run. Delivery never happens inside the
 * program's write call, so a slow run cannot slow the program's output down.
 */
export class ConsoleCapture {
  readonly stats: ConsoleCaptureStats = { lines: 0, droppedLines: 0, splitLines: 0 };
  private readonly maxBuffered: number;
  private readonly maxLine: number;
  private readonly delayMs: number;
  private queue: ConsoleLine[] = [];
  private buffered = 0;
  private readonly partial: Record<ConsoleStream, string> = { stdout: '', stderr: '' };
  private readonly partialTime: Record<ConsoleStream, number> = { stdout: 0, stderr: 0 };
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ConsoleCaptureOptions) {
    this.maxBuffered = options.maxBufferedChars ?? 4 * 1024 * 1024;
    this.maxLine = Math.max(1, options.maxLineChars ?? 64 * 1024);
    this.delayMs = options.drainDelayMs ?? 100;
  }

  /** Starts capturing. Idempotent; a stopped capture stays stopped. */
  start(): this {
    if (!this.unsubscribe && !this.stopped) this.unsubscribe = subscribeConsole((stream, text, now) => this.onText(stream, text, now));
    return this;
  }

  private onText(stream: ConsoleStream, text: string, now: number): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      const pending = this.partial[stream];
      if (pending === '') this.emit(stream, now, piece);
      else {
        this.partial[stream] = '';
        this.emit(stream, this.partialTime[stream], pending + piece);
      }
      start = nl + 1;
    }
    if (start === text.length) return;
    if (this.partial[stream] === '') this.partialTime[stream] = now;
    let rest = this.partial[stream] + text.slice(start);
    // A line that never ends (a progress bar redrawn with \r) is cut rather than held without bound.
    while (rest.length >= this.maxLine) {
      const end = this.cutAt(rest);
      this.stats.splitLines++;
      this.push(stream, this.partialTime[stream], rest.slice(0, end));
      rest = rest.slice(end);
      this.partialTime[stream] = now;
    }
    this.partial[stream] = rest;
  }

  /** Where to cut a text longer than `maxLine`: at `maxLine`, never inside a surrogate pair. */
  private cutAt(text: string): number {
    const end = this.maxLine;
    return end > 1 && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800 ? end - 1 : end;
  }

  /** One complete line, cut into pieces of at most `maxLine` characters. */
  private emit(stream: ConsoleStream, timeMs: number, text: string): void {
    while (text.length > this.maxLine) {
      const end = this.cutAt(text);
      this.stats.splitLines++;
      this.push(stream, timeMs, text.slice(0, end));
      text = text.slice(end);
    }
    this.push(stream, timeMs, text);
  }

  private push(stream: ConsoleStream, timeMs: number, text: string): void {
    if (this.buffered + text.length > this.maxBuffered) {
      this.stats.droppedLines++;
      this.options.logger.warnOnce(
        'wandb-console-dropped',
        `Console output comes faster than the W&B run takes it; lines are dropped (counted in native().console).`,
      );
      return;
    }
    this.queue.push({ stream, timeMs, text });
    this.buffered += text.length;
    if (!this.timer && !this.stopped) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, this.delayMs);
      this.timer.unref?.();
    }
  }

  /** Hands the buffered complete lines on now. */
  drain(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length === 0) return;
    const lines = this.queue;
    this.queue = [];
    this.buffered = 0;
    this.stats.lines += lines.length;
    withoutCapture(() => {
      try {
        this.options.deliver(lines);
      } catch (error) {
        this.options.logger.errorOnce('wandb-console-deliver', `Recording console output failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }

  /** Restores the streams (unless another run still captures), delivers partial lines and the buffer. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] === '') continue;
      this.push(stream, this.partialTime[stream], this.partial[stream]);
      this.partial[stream] = '';
    }
    this.drain();
    if (this.stats.droppedLines > 0) this.options.logger.warn(`${this.stats.droppedLines} console line(s) were not recorded in the W&B run (buffer full).`);
  }
}
