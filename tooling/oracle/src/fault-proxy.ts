import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from './random.js';

/**
 * When a fault fires. `firstN` fires on requests 1..N (counted from the last setFaults/clear),
 * `everyNth` on every Nth request, `ratio` with that probability from the proxy's seeded RNG.
 * Any that matches fires.
 */
export interface FaultRule {
  ratio?: number;
  everyNth?: number;
  firstN?: number;
}

export interface Faults {
  /** Answer 429 with `Retry-After: retryAfterS` (omitted if undefined). */
  status429?: FaultRule & { retryAfterS?: number };
  /** Answer 503; a number is a ratio. */
  status503?: number | FaultRule;
  /** Destroy the client socket without answering; a number is a ratio. */
  resetRatio?: number;
  reset?: FaultRule;
  /**
   * Forward the request, and once the server has answered, destroy the client socket instead of passing the
   * answer on: the server did the work but the client never hears of it (a non-idempotent request retried
   * then repeats it).
   */
  lostResponse?: FaultRule;
  /** Delay every forwarded request by this many ms. */
  latencyMs?: number;
  /** Only requests whose path matches are subject to faults (default: all). */
  pathFilter?: RegExp;
}

export interface FaultProxyStats {
  requests: number;
  forwarded: number;
  faults: { status429: number; status503: number; reset: number; lostResponse: number; delayed: number };
  upstreamErrors: number;
  /** Method and path of each request, in order (capped at 10 000). */
  log: { method: string; path: string; fault?: FaultKind }[];
}

type FaultKind = 'status429' | 'status503' | 'reset' | 'lostResponse';

export interface FaultProxy {
  url: string;
  port: number;
  setFaults(faults: Faults): void;
  clear(): void;
  stats(): FaultProxyStats;
  /** Zero the counters (faults stay). */
  resetStats(): void;
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Upstream base URL, e.g. an MLflow server's url. */
  target: string;
  /** Seed for the ratio RNG (default 1): the same seed and request order give the same faults. */
  seed?: number;
  faults?: Faults;
}

function emptyStats(): FaultProxyStats {
  return { requests: 0, forwarded: 0, faults: { status429: 0, status503: 0, reset: 0, lostResponse: 0, delayed: 0 }, upstreamErrors: 0, log: [] };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** A loopback reverse proxy that injects 429/503/connection resets/latency in front of `target`. */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const basePath = target.pathname.replace(/\/$/, '');
  let faults: Faults = opts.faults ?? {};
  let rng = seededRandom(opts.seed ?? 1);
  let counter = 0; // requests subject to faults since the last setFaults/clear
  let stats = emptyStats();
  const sockets = new Set<Socket>();

  const fires = (rule: FaultRule | undefined, n: number): boolean => {
    if (!rule) return false;
    if (rule.firstN !== undefined && n <= rule.firstN) return true;
    if (rule.everyNth !== undefined && rule.everyNth > 0 && n % rule.everyNth === 0) return true;
    // Always draw when a ratio is set, so the sequence depends only on the request order.
    if (rule.ratio !== undefined && rule.ratio > 0) return rng() < rule.ratio;
    return false;
  };

  const pickFault = (path: string): FaultKind | undefined => {
    if (faults.pathFilter && !faults.pathFilter.test(path)) return undefined;
    const n = ++counter;
    const reset: FaultRule | undefined = faults.reset ?? (faults.resetRatio !== undefined ? { ratio: faults.resetRatio } : undefined);
    const s503: FaultRule | undefined = typeof faults.status503 === 'number' ? { ratio: faults.status503 } : faults.status503;
    if (fires(reset, n)) return 'reset';
    if (fires(s503, n)) return 'status503';
    if (fires(faults.status429, n)) return 'status429';
    if (fires(faults.lostResponse, n)) return 'lostResponse';
    return undefined;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, loseResponse = false) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
    }
    headers.host = target.host;
    if (req.headers['transfer-encoding']) headers['transfer-encoding'] = req.headers['transfer-encoding'];
    const upstream = httpRequest(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: basePath + (req.url ?? '/'),
        headers,
      },
      (up) => {
        if (loseResponse) {
          // the server has done the work; the client hears nothing
          up.resume();
          up.on('end', () => req.socket.destroy());
          return;
        }
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) {
          if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
        }
        res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      stats.upstreamErrors++;
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: upstream error: ${err.message}`);
      } else {
        res.destroy(err);
      }
    });
    req.pipe(upstream);
    stats.forwarded++;
  };

  const server = createServer((req, res) => {
    stats.requests++;
    const path = req.url ?? '/';
    const fault = pickFault(path);
    if (stats.log.length < 10_000) stats.log.push({ method: req.method ?? 'GET', path, ...(fault ? { fault } : {}) });
    if (fault === 'reset') {
      stats.faults.reset++;
      req.socket.destroy();
      return;
    }
    if (fault === 'status503' || fault === 'status429') {
      stats.faults[fault]++;
      req.resume(); // drain the body so the connection stays usable
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault === 'status429' && faults.status429?.retryAfterS !== undefined) {
        headers['retry-after'] = String(faults.status429.retryAfterS);
      }
      const status = fault === 'status429' ? 429 : 503;
      req.on('end', () => {
        res.writeHead(status, headers);
        res.end(JSON.stringify({ error_code: status === 429 ? 'RESOURCE_EXHAUSTED' : 'TEMPORARILY_UNAVAILABLE', message: 'injected by fault proxy' }));
      });
      return;
    }
    const lose = fault === 'lostResponse';
    if (lose) stats.faults.lostResponse++;
    const latency = faults.latencyMs ?? 0;
    if (latency > 0) {
      stats.faults.delayed++;
      req.pause();
      setTimeout(() => forward(req, res, lose), latency);
    } else {
      forward(req, res, lose);
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setFaults(f) {
      faults = f;
      counter = 0;
      rng = seededRandom(opts.seed ?? 1);
    },
    clear() {
      faults = {};
      counter = 0;
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = emptyStats();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
