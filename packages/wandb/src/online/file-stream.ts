import type { Logger } from '@metrics/core';
import { errorMessage } from '@metrics/core/backend';
import type { FileStreamOptions } from '../settings.js';
import type { HttpClient } from '@metrics/core/http';

/** Server limit: never more than 2 file_stream requests per second per run. */
const MIN_GAP_MS = 500;

interface LineFile {
  name: string;
  /** Offset of `lines[0]`. */
  offset: number;
  lines: string[];
}

export interface FileStreamStats {
  requests: number;
  heartbeats: number;
  failedRequests: number;
  /** Lines too large for the server, plus the lines of requests that failed for good. */
  droppedLines: number;
}

/**
 * The file_stream sender with W&B's pacing: updates merge while waiting; the first request goes at
 * once, then at most one per `intervalMs` (never more than 2/s); a request is sent early when the
 * pending data reaches `maxRequestBytes`; `{}` is sent after `heartbeatMs` of silence. One request is
 * in flight at a time and is retried with the same body (core's retry policy, Retry-After honoured).
 */
export class FileStream {
  private readonly history: LineFile;
  private readonly events: LineFile;
  private readonly output: LineFile;
  private summary: string | undefined;
  private uploaded: string[] = [];
  private pendingBytes = 0;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  private urgent = false;
  private closed = false;
  private waiters: (() => void)[] = [];
  readonly stats: FileStreamStats = { requests: 0, heartbeats: 0, failedRequests: 0, droppedLines: 0 };
  private readonly opts: Required<FileStreamOptions>;

  constructor(
    private readonly http: HttpClient,
    private readonly url: string,
    options: Required<FileStreamOptions>,
    private readonly logger: Logger,
    offsets: { history?: number; events?: number; output?: number } = {},
  ) {
    this.opts = options;
    this.history = { name: 'wandb-history.jsonl', offset: offsets.history ?? 0, lines: [] };
    this.events = { name: 'wandb-events.jsonl', offset: offsets.events ?? 0, lines: [] };
    this.output = { name: 'output.log', offset: offsets.output ?? 0, lines: [] };
    this.schedule();
  }

  private fits(line: string, what: string): boolean {
    if (line.length * 3 <= this.opts.maxLineBytes || Buffer.byteLength(line) <= this.opts.maxLineBytes) return true;
    this.stats.droppedLines++;
    this.logger.warnOnce(`wandb-line-${what}`, `A W&B ${what} line is larger than ${this.opts.maxLineBytes} bytes; dropped (the server would refuse it).`);
    return false;
  }

  addHistory(lines: readonly string[]): void {
    for (const l of lines) if (this.fits(l, 'history')) this.push(this.history, l);
    this.schedule();
  }

  addEvents(lines: readonly string[]): void {
    for (const l of lines) if (this.fits(l, 'system metrics')) this.push(this.events, l);
    this.schedule();
  }

  /** Console lines (`output.log`), already formatted; offsets continue across requests. */
  addOutput(lines: readonly string[]): void {
    for (const l of lines) if (this.fits(l, 'console')) this.push(this.output, l);
    this.schedule();
  }

  /** The whole summary as one JSON object; replaces any unsent one. */
  setSummary(json: string): void {
    if (!this.fits(json, 'summary')) return;
    this.summary = json;
    this.schedule();
  }

  markUploaded(paths: readonly string[]): void {
    this.uploaded.push(...paths);
    this.schedule();
  }

  /** Lines waiting to be sent (history, system metrics, console). */
  get queuedLines(): number {
    return this.history.lines.length + this.events.lines.length + this.output.lines.length;
  }

  private push(file: LineFile, line: string): void {
    file.lines.push(line);
    this.pendingBytes += line.length + 4;
  }

  private get hasData(): boolean {
    return (
      this.history.lines.length > 0 || this.events.lines.length > 0 || this.output.lines.length > 0 || this.summary !== undefined || this.uploaded.length > 0
    );
  }

  /** Arms the one timer for the next request (data or heartbeat). */
  private schedule(): void {
    if (this.closed || this.inFlight) return;
    const now = Date.now();
    const floor = Math.min(MIN_GAP_MS, this.opts.intervalMs);
    let due: number;
    if (!this.hasData) due = this.lastSentAt + this.opts.heartbeatMs;
    else if (this.urgent || this.pendingBytes >= this.opts.maxRequestBytes) due = this.lastSentAt + floor;
    else due = this.lastSentAt + this.opts.intervalMs;
    if (this.lastSentAt === 0 && this.hasData) due = now; // the first request goes at once
    const wait = Math.max(0, due - now);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sendNext();
    }, wait);
    this.timer.unref?.();
  }

  /** Takes up to `maxRequestBytes` of pending data into one body. */
  private takeBody(): Record<string, unknown> {
    const files: Record<string, { offset: number; content: string[] }> = {};
    let budget = this.opts.maxRequestBytes;
    const take = (file: LineFile) => {
      if (file.lines.length === 0) return;
      let n = 0;
      while (n < file.lines.length && (n === 0 || budget - (file.lines[n]!.length + 4) >= 0)) {
        budget -= file.lines[n]!.length + 4;
        n++;
      }
      const content = file.lines.splice(0, n);
      files[file.name] = { offset: file.offset, content };
      file.offset += n;
      for (const l of content) this.pendingBytes -= l.length + 4;
    };
    take(this.history);
    take(this.events);
    take(this.output);
    if (this.summary !== undefined) {
      files['wandb-summary.json'] = { offset: 0, content: [this.summary] };
      this.summary = undefined;
    }
    const body: Record<string, unknown> = {};
    if (Object.keys(files).length > 0) body.files = files;
    if (this.uploaded.length > 0) body.uploaded = this.uploaded.splice(0);
    return body;
  }

  private sendNext(): void {
    if (this.inFlight || this.closed) return;
    const heartbeat = !this.hasData;
    const body = this.takeBody();
    if (heartbeat) this.stats.heartbeats++;
    if (!this.hasData) this.urgent = false;
    this.inFlight = this.post(body).finally(() => {
      this.inFlight = undefined;
      this.lastSentAt = Date.now();
      if (!this.hasData) this.wakeWaiters();
      this.schedule();
    });
  }

  private async post(body: Record<string, unknown>): Promise<void> {
    try {
      this.stats.requests++;
      const res = await this.http.request({ method: 'POST', url: this.url, body: JSON.stringify(body), what: 'file_stream' });
      this.checkStopped(res.text);
    } catch (error) {
      this.stats.failedRequests++;
      // The summary is sent whole again with the next change; the lines of the other files are gone.
      const files = (body.files ?? {}) as Record<string, { content: unknown[] }>;
      for (const [name, file] of Object.entries(files)) if (name !== 'wandb-summary.json') this.stats.droppedLines += file.content.length;
      this.logger.errorOnce('wandb-file-stream', `W&B file_stream request failed for good; its data is lost: ${errorMessage(error)}`);
    }
  }

  private checkStopped(text: string): void {
    try {
      if ((JSON.parse(text) as { stopped?: boolean }).stopped) this.logger.warnOnce('wandb-stopped', 'The W&B server says this run was stopped from the UI.');
    } catch {
      // answers without JSON are fine
    }
  }

  private wakeWaiters(): void {
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  /** Sends everything pending as soon as pacing allows; resolves when it is all delivered (or given up). */
  async flush(): Promise<void> {
    if (!this.hasData && !this.inFlight) return;
    this.urgent = true;
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.schedule();
    await done;
  }

  /**
   * Sends what is still pending and ends with `complete: true` and the exit code, merged into the last
   * data request as wandb-core does (more requests only when the pending data exceeds the size cap).
   */
  async finish(exitCode: number): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.inFlight) await this.inFlight;
    const gap = Math.min(MIN_GAP_MS, this.opts.intervalMs);
    for (;;) {
      const wait = this.lastSentAt + gap - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const body = this.takeBody();
      const last = !this.hasData;
      if (last) Object.assign(body, { complete: true, exitcode: exitCode });
      await this.post(body);
      this.lastSentAt = Date.now();
      if (last) break;
    }
    this.wakeWaiters();
  }

  /** Stops timers without a final request (abandoned runs). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.wakeWaiters();
  }
}
