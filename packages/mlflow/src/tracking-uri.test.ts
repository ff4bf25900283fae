import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@metrics/core';
import { createMlflowTracker } from './tracker.js';

const create = (options: Parameters<typeof createMlflowTracker>[0]) => () => createMlflowTracker({ handleExit: false, logLevel: 'silent', ...options });

describe('tracking URI checked at creation', () => {
  it('rejects host:port without a scheme, naming the fix', () => {
    expect(create({ trackingUri: '127.0.0.1:5000', env: {} })).toThrow(InvalidConfigError);
    expect(create({ trackingUri: '127.0.0.1:5000', env: {} })).toThrow(/trackingUri: "127\.0\.0\.1:5000" has no scheme; use "http:\/\/127\.0\.0\.1:5000"/);
    expect(create({ trackingUri: 'localhost:5000', env: {} })).toThrow(/use "http:\/\/localhost:5000"/);
    expect(create({ env: { MLFLOW_TRACKING_URI: 'mlflow.internal:80/prefix' } })).toThrow(
      /MLFLOW_TRACKING_URI: "mlflow\.internal:80\/prefix" has no scheme; use "http:\/\/mlflow\.internal:80\/prefix"/,
    );
  });

  it('rejects schemes it cannot talk to, pointing at `mlflow server`', () => {
    expect(create({ trackingUri: 'file:./mlruns', env: {} })).toThrow(/"file:" scheme.*mlflow server/);
    expect(create({ trackingUri: 'mlruns', env: {} })).toThrow(/not a URL; use the tracking server's http\(s\):\/\/ URL/);
  });

  it('accepts http(s) URLs and no URI at all (records then go to the spool)', async () => {
    for (const options of [{ trackingUri: 'http://127.0.0.1:9' }, { trackingUri: 'https://mlflow.example.com/' }, {}, { trackingUri: '' }]) {
      const tracker = create({ ...options, env: {}, spillDir: '/tmp/never-written-by-this-test' })();
      await tracker.close(undefined, { timeoutMs: 0 });
    }
  });
});
