/**
 * A loopback HTTPS front with a fresh self-signed certificate (made with the `openssl` CLI), forwarding
 * to a plain-HTTP server (the real MLflow server or the loopback W&B server). It counts TLS handshakes
 * that failed and requests it served, so a test can tell "refused by the client" from "served".
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSigned {
  key: Buffer;
  cert: Buffer;
}

/** A self-signed certificate for 127.0.0.1/localhost, valid for a day. Throws when `openssl` is missing. */
export function makeSelfSignedCert(): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), 'rel-tls-'));
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error('the TLS tests need the `openssl` CLI to make a self-signed certificate (Node has no API to create one)');
  }
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TlsFront {
  url: string;
  /** Handshakes the client broke off (it did not trust the certificate). */
  handshakeFailures: number;
  /** HTTP requests served through the front. */
  served: number;
  stop(): Promise<void>;
}

export async function startTlsFront(target: string, cert: SelfSigned): Promise<TlsFront> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const front: TlsFront = { url: '', handshakeFailures: 0, served: 0, stop: async () => {} };
  const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    front.served++;
    const forward = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(forward);
  });
  server.on('tlsClientError', () => front.handshakeFailures++);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return front;
}
