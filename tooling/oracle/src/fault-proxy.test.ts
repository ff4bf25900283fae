import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './index.js';

describe('fault proxy', () => {
  let upstream: Server;
  let proxy: FaultProxy;
  let upstreamHits = 0;

  beforeAll(async () => {
    // Echoes method, path and body so streaming through the proxy is checked end to end.
    upstream = createServer((req, res) => {
      upstreamHits++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
        res.end(JSON.stringify({ method: req.method, path: req.url, body: Buffer.concat(chunks).toString(), host: req.headers.host }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    proxy = await startFaultProxy({ target: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, seed: 42 });
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  const post = (path: string, body: string) => fetch(proxy.url + path, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });

  it('forwards method, path, body and headers when no fault is set', async () => {
    proxy.clear();
    const res = await post('/api/x?y=1', 'payload');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('yes');
    expect(await res.json()).toMatchObject({ method: 'POST', path: '/api/x?y=1', body: 'payload' });
  });

  it('injects 429 with Retry-After on every 2nd request', async () => {
    proxy.setFaults({ status429: { everyNth: 2, retryAfterS: 7 } });
    proxy.resetStats();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post('/a', 'x');
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('7');
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 429, 200, 429]);
    expect(proxy.stats().faults.status429).toBe(2);
    expect(proxy.stats().forwarded).toBe(2);
  });

  it('injects 503 for the first N requests, then passes through', async () => {
    proxy.setFaults({ status503: { firstN: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('/b', 'x')).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('injects 503 by ratio, reproducibly for a seed', async () => {
    const run = async () => {
      proxy.setFaults({ status503: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await post('/c', 'x')).status);
      return out;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  it('resets the connection', async () => {
    proxy.setFaults({ reset: { firstN: 1 } });
    proxy.resetStats();
    await expect(post('/d', 'x')).rejects.toThrow();
    expect((await post('/d', 'x')).status).toBe(200);
    expect(proxy.stats().faults.reset).toBe(1);
  });

  it('resets by ratio (resetRatio: 1 resets everything)', async () => {
    proxy.setFaults({ resetRatio: 1 });
    await expect(fetch(`${proxy.url}/e`)).rejects.toThrow();
  });

  it('adds latency and still forwards', async () => {
    proxy.setFaults({ latencyMs: 50 });
    proxy.resetStats();
    const before = upstreamHits;
    const res = await post('/f', 'slow');
    expect(await res.json()).toMatchObject({ body: 'slow' });
    expect(upstreamHits).toBe(before + 1);
    expect(proxy.stats().faults.delayed).toBe(1);
  });

  it('limits faults to matching paths', async () => {
    proxy.setFaults({ status503: 1, pathFilter: /\/log-batch/ });
    expect((await post('/api/2.0/mlflow/runs/log-batch', 'x')).status).toBe(503);
    expect((await post('/api/2.0/mlflow/runs/get', 'x')).status).toBe(200);
  });

  it('answers 502 when the upstream is down', async () => {
    const dead = await startFaultProxy({ target: 'http://127.0.0.1:1' });
    try {
      expect((await fetch(`${dead.url}/x`)).status).toBe(502);
      expect(dead.stats().upstreamErrors).toBe(1);
    } finally {
      await dead.stop();
    }
  });
});
