import type { LogTail } from './processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WaitForHttpOptions {
  timeoutMs: number;
  /** Which answer counts as ready (default: status 200). */
  ready?: (res: Response) => boolean | Promise<boolean>;
  /** Fails fast if the server process has exited. */
  exited?: () => boolean;
  log?: LogTail;
  what: string;
}

/** Polls `url` until it answers as `ready` wants; the error carries the server's log tail. */
export async function waitForHttp(url: string, opts: WaitForHttpOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const ready = opts.ready ?? ((r: Response) => r.status === 200);
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (opts.exited?.()) {
      throw new Error(`${opts.what} exited before ${url} answered.\n--- server log tail ---\n${opts.log?.text(60) ?? ''}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (await ready(res)) return;
      last = `HTTP ${res.status}`;
      await res.body?.cancel();
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(
    `${opts.what}: ${url} not ready after ${Math.round(opts.timeoutMs / 1000)} s (last: ${last}).\n` + `--- server log tail ---\n${opts.log?.text(60) ?? ''}`,
  );
}
