/**
 * A pass-through tap in front of an MLflow server that counts every metric the server ACCEPTED (log-batch
 * answered 2xx), per (run, key, step). MLflow's sqlite store silently drops an exact repeat of a row, so
 * reading the server back cannot show a client that sends an accepted batch twice; the tap can.
 * When the server is down the tap drops the client's connection (as a dead server would), it never
 * answers for it.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface MetricTap {
  url: string;
  /** Accepted points per `${runId}|${key}|${step}`. */
  accepted: Map<string, number>;
  /** log-batch requests answered 2xx, and those that failed upstream (server down). */
  counts: { logBatchOk: number; logBatchFailed: number; upstreamDown: number };
  /** Keys accepted more than once. */
  duplicates(): string[];
  stop(): Promise<void>;
}

export async function startMetricTap(target: string): Promise<MetricTap> {
  const up = new URL(target);
  const accepted = new Map<string, number>();
  const counts = { logBatchOk: 0, logBatchFailed: 0, upstreamDown: 0 };
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: up.host, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const upstream = httpRequest({ hostname: up.hostname, port: up.port, method: req.method, path: req.url, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('error', () => req.socket.destroy());
        answer.on('end', () => {
          const status = answer.statusCode ?? 502;
          if (req.url?.startsWith('/api/2.0/mlflow/runs/log-batch')) {
            if (status >= 200 && status < 300) {
              counts.logBatchOk++;
              const parsed = JSON.parse(body.toString('utf8')) as { run_id: string; metrics?: { key: string; step?: number | string }[] };
              for (const m of parsed.metrics ?? []) {
                const k = `${parsed.run_id}|${m.key}|${Number(m.step ?? 0)}`;
                accepted.set(k, (accepted.get(k) ?? 0) + 1);
              }
            } else counts.logBatchFailed++;
          }
          const out = { ...answer.headers };
          delete out['transfer-encoding'];
          delete out.connection;
          res.writeHead(status, { ...out, 'content-length': String(Buffer.concat(parts).length) });
          res.end(Buffer.concat(parts));
        });
      });
      upstream.on('error', () => {
        counts.upstreamDown++;
        req.socket.destroy(); // like the dead server: no answer at all
      });
      upstream.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted,
    counts,
    duplicates: () => [...accepted].filter(([, n]) => n > 1).map(([k]) => k),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
