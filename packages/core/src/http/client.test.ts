import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportError } from '../errors.js';
import { HttpClient, retryUnless } from './client.js';

const SECRET = 'tok-' + 'x'.repeat(32);
let server: Server;
let url: string;
/** Answers in order; the last one repeats. */
let answers: { status: number; body?: string; headers?: Record<string, string> }[];
let seen: { method?: string; headers: IncomingMessage['headers']; body: string }[];

beforeEach(async () => {
  answers = [{ status: 200, body: '{}' }];
  seen = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      const a = answers.length > 1 ? answers.shift()! : answers[0]!;
      res.writeHead(a.status, a.headers).end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => new Promise<void>((r) => server.close(() => r())));

const quick = { initialDelayMs: 1, maxDelayMs: 5, deadlineMs: 10_000, maxAttempts: 5 };

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  return new HttpClient({ userAgent: 'test-agent', timeoutMs: 5_000, headers: { authorization: `Bearer ${SECRET}` }, retry: quick, ...extra });
}

describe('HttpClient (undici, core retry policy)', () => {
  it('sends JSON with the default headers and returns the answer', async () => {
    const http = client();
    answers = [{ status: 200, body: '{"ok":1}' }];
    const res = await http.request({ method: 'POST', url: `${url}/x`, body: '{"a":1}', what: 'post x' });
    expect(res).toMatchObject({ status: 200, text: '{"ok":1}' });
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(seen[0]!.headers).toMatchObject({ 'user-agent': 'test-agent', authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' });
    await http.close();
  });

  it('retries 429/5xx (Retry-After honoured) until success, and counts each retry', async () => {
    const retries: number[] = [];
    const http = client({ onRetry: (_what, error) => retries.push(error.statusCode ?? 0) });
    answers = [{ status: 429, headers: { 'retry-after': '0' } }, { status: 503 }, { status: 200, body: 'done' }];
    const res = await http.request({ method: 'GET', url, what: 'get' });
    expect(res.text).toBe('done');
    expect(retries).toEqual([429, 503]);
    expect(seen).toHaveLength(3);
    await http.close();
  });

  it("never retries a status the backend's rule excludes, unless the request asks (alsoRetry)", async () => {
    const http = client({ retryStatus: retryUnless(new Set([409])) });
    answers = [{ status: 409, body: 'conflict' }];
    const error = await http.request({ method: 'POST', url, body: '{}', what: 'upsert' }).catch((e: unknown) => e);
    expect(ExportError.isInstance(error) && error.statusCode).toBe(409);
    expect((error as ExportError).isRetryable).toBe(false);
    expect(seen).toHaveLength(1);
    answers = [{ status: 409 }, { status: 200, body: 'ok' }];
    const res = await http.request({ method: 'POST', url, body: '{}', what: 'upsert', alsoRetry: [409] });
    expect(res.text).toBe('ok');
    await http.close();
  });

  it('masks secrets (token and Authorization value) in every error it makes', async () => {
    const http = client({ secrets: [SECRET] });
    answers = [{ status: 401, body: `bad token ${SECRET} in Bearer ${SECRET}` }];
    const error = (await http.once({ method: 'GET', url, what: 'get' }).catch((e: unknown) => e)) as ExportError;
    expect(error.message).toContain('HTTP 401');
    expect(error.message).not.toContain(SECRET);
  });

  it('a refused connection is a retryable network error; toError shapes the backend error', async () => {
    const http = client({ toError: (f) => new ExportError(`custom ${f.kind} ${f.kind === 'network' ? f.code : f.status}`, { isRetryable: f.retryable }) });
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const error = (await http.once({ method: 'GET', url: `http://127.0.0.1:${port}/`, what: 'get' }).catch((e: unknown) => e)) as ExportError;
    expect(error.message).toBe('custom network ECONNREFUSED');
    expect(error.isRetryable).toBe(true);
    server = createServer().listen(0); // afterEach closes one
    await http.close();
  });

  it('bare requests carry no default headers (no credentials to a signed storage URL)', async () => {
    const http = client();
    await http.request({
      method: 'PUT',
      url,
      body: new Uint8Array([1, 2]),
      what: 'upload',
      bare: true,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers['content-type']).toBe('application/octet-stream');
    await http.close();
  });
});
