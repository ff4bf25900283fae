import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowApiError, MlflowClient } from './client.js';
import { resolveMlflowSettings } from './settings.js';

const POOL_EXHAUSTED =
  'QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/21/3o7r)';

const server = createServer((req, res) => {
  if (req.url?.endsWith('/pool')) {
    // What mlflow server answers when its database connection pool is exhausted.
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error_code: 'BAD_REQUEST', message: POOL_EXHAUSTED }));
    return;
  }
  if (req.url?.endsWith('/bad')) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid value for metric' }));
    return;
  }
  // 200 with a body it never finishes: killed while replying.
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

  it("a 400 for the server's exhausted database pool is retryable; any other 400 is not", async () => {
    const client = new MlflowClient({ ...resolveMlflowSettings({}, {}), trackingUri: url });
    const overloaded = (await client.call('POST', '/pool', {}).catch((e: unknown) => e)) as MlflowApiError;
    const invalid = (await client.call('POST', '/bad', {}).catch((e: unknown) => e)) as MlflowApiError;
    await client.close();
    expect([overloaded.statusCode, overloaded.isRetryable]).toEqual([400, true]);
    expect([invalid.statusCode, invalid.isRetryable]).toEqual([400, false]);
  });
});
