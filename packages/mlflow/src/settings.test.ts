import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@metrics/core';
import { createMlflowExporter, createMlflowTracker, mlflow, type MlflowTrackerOptions } from './index.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function creationError(options: unknown): InvalidConfigError {
  try {
    void createMlflowTracker(options as MlflowTrackerOptions).close();
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('createMlflowTracker options', () => {
  it('misspelt and unknown options fail at creation with a suggestion', () => {
    const error = creationError({ trackingURI: 'http://127.0.0.1:9', experimentname: 'e', handleExit: false, env: {} });
    expect(error.issues).toEqual([
      { path: 'trackingURI', message: 'unknown option; did you mean `trackingUri`?' },
      { path: 'experimentname', message: 'unknown option; did you mean `experimentName`?' },
    ]);
  });

  it('wrong types and ranges fail naming the field', () => {
    const error = creationError({ trackingUri: 'localhost 5000', requestTimeoutMs: -1, insecureTls: 'yes', handleExit: false, env: {} });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['insecureTls', 'requestTimeoutMs', 'trackingUri']);
    expect(error.message).toMatch(/trackingUri: "localhost 5000" is not a URL; use the tracking server.s http\(s\):\/\/ URL/);
  });

  it('a bad MLFLOW_TRACKING_URI is named as the variable to fix, without echoing it', () => {
    const error = creationError({ handleExit: false, env: { MLFLOW_TRACKING_URI: '//user:secret@host' } });
    expect(error.message).toMatch(/trackingUri: from the environment variable MLFLOW_TRACKING_URI: .*\(fix or unset it\)/);
    expect(error.message).not.toContain('secret');
  });

  it('the exporter factory checks its options too', () => {
    expect(() => createMlflowExporter({ requestTimeoutMs: '30s', env: {} } as never)).toThrow(/createMlflowExporter options:\n {2}- requestTimeoutMs: /);
  });

  it('valid options spill to the spool as before (no server)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mlflow-settings-'));
    roots.push(root);
    const t = createMlflowTracker({ experiment: 'e', runName: 'r', spillDir: root, handleExit: false, env: {}, logLevel: 'silent' });
    t.log({ 'training/loss': 1 }, { step: 0 });
    await t.close();
    expect(readdirSync(root).length).toBeGreaterThan(0);
  });
});

describe('the mlflow descriptor', () => {
  it('reads the MLFLOW_* variables (empty = unset); explicit options win', () => {
    const env = { MLFLOW_TRACKING_URI: 'http://h:5000', MLFLOW_EXPERIMENT_NAME: '', MLFLOW_TRACKING_INSECURE_TLS: 'true' };
    expect(mlflow.resolve({}, env)).toEqual({ trackingUri: 'http://h:5000', insecureTls: true });
    expect(mlflow.resolve({ trackingUri: 'http://other:1' }, env)).toMatchObject({ trackingUri: 'http://other:1' });
  });

  it('spills by default (the facade and createMlflowTracker share this)', () => {
    expect(mlflow.defaults).toEqual({ fullQueue: 'spill', spillDir: 'mlflow-spool' });
    expect(mlflow.runFromEnv?.({ MLFLOW_EXPERIMENT_NAME: 'm' })).toEqual({ experiment: 'm' });
  });
});
