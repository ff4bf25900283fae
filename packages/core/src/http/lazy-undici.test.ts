import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HttpClient } from './client.js';

const undiciLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`${sep}undici${sep}`));

describe('undici is loaded with the first request, not with the client', () => {
  it('creating a client (as creating a tracker does) never loads it; the first request does', async () => {
    const http = new HttpClient({ userAgent: 'lazy', timeoutMs: 5_000 });
    expect(undiciLoaded()).toBe(false);
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await http.once({ method: 'GET', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, what: 'probe' });
      expect(res.text).toBe('ok');
      expect(undiciLoaded()).toBe(true);
    } finally {
      await http.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
