import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowApiError, MlflowClient } from './client.js';
import { resolveMlflowSettings } from './settings.js';

// A server that answers 200 with a body it never finishes: killed while replying.
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
  res.write('{"run": {"info"');
  setTimeout(() => res.socket?.destroy(), 20);
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('MlflowClient', () => {
  it('an answer cut mid-body is a retryable failure (the server may not have finished: send again)', async () => {
    const client = new MlflowClient({ ...resolveMlflowSettings({}, {}), trackingUri: url });
    const error = await client.call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: 'x' }).catch((e: unknown) => e);
    await client.close();
    expect(MlflowApiError.isInstance(error)).toBe(true);
    expect((error as MlflowApiError).isRetryable).toBe(true);
  });
});
