/**
 * A loopback reverse proxy for the security tests: in front of a real server it answers some requests with
 * 401 or 500 (seeded), can insist on one exact Authorization header (401 otherwise), and can echo the
 * Authorization header it received in its error bodies — the worst a misbehaving server or gateway does —
 * so the client's redaction is put to the test. It records every request (method, path, whether it
 * carried credentials, body) so the bodies can be scanned for secrets.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from '@metrics/oracle';

export interface AuthProxyOptions {
  target: string;
  seed?: number;
  status401Ratio?: number;
  status500Ratio?: number;
  /** 401 for any request whose Authorization header is not exactly this. */
  requireAuthorization?: string;
  /** Put the received Authorization header into 401/500 bodies. */
  echoAuthorization?: boolean;
  /** Random 401/500 only for paths matching this (default: all). */
  faultPaths?: RegExp;
}

export interface RecordedCall {
  method: string;
  path: string;
  authorization: string | undefined;
  status: number;
  body: Buffer;
}

export interface AuthProxy {
  url: string;
  calls: RecordedCall[];
  stop(): Promise<void>;
}

export async function startAuthProxy(options: AuthProxyOptions): Promise<AuthProxy> {
  const target = new URL(options.target);
  const random = seededRandom(options.seed ?? 1);
  const calls: RecordedCall[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const authorization = req.headers.authorization;
      const call: RecordedCall = { method: req.method ?? 'GET', path: req.url ?? '/', authorization, status: 0, body };
      calls.push(call);
      const echo = options.echoAuthorization ? ` (received Authorization: ${authorization ?? 'none'})` : '';
      const fail = (status: number, code: string) => {
        call.status = status;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error_code: code, message: `${status === 401 ? 'Credentials rejected' : 'Gateway failure'}${echo}` }));
      };
      if (options.requireAuthorization !== undefined && authorization !== options.requireAuthorization) return fail(401, 'UNAUTHENTICATED');
      if (!options.faultPaths || options.faultPaths.test(call.path)) {
        const r401 = random();
        const r500 = random();
        if (r401 < (options.status401Ratio ?? 0)) return fail(401, 'UNAUTHENTICATED');
        if (r500 < (options.status500Ratio ?? 0)) return fail(500, 'INTERNAL_ERROR');
      }
      const headers = { ...req.headers, host: target.host };
      delete headers.connection;
      delete headers['content-length'];
      const upstream = httpRequest(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...headers, 'content-length': String(body.length) } },
        (up) => {
          call.status = up.statusCode ?? 502;
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        call.status = 502;
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`upstream error: ${e.message}`);
      });
      upstream.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
