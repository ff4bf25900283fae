import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeMetricValue, LIMITS, packLogBatches, sanitizeMlflowKey } from './encode.js';
import { resolveMlflowSettings } from './settings.js';

describe('encoding for the MLflow server', () => {
  it('sends NaN and ±Infinity as the strings the server parses', () => {
    expect(encodeMetricValue(Number.NaN)).toBe('NaN');
    expect(encodeMetricValue(Infinity)).toBe('Infinity');
    expect(encodeMetricValue(-Infinity)).toBe('-Infinity');
    expect(encodeMetricValue(0.5)).toBe(0.5);
  });

  it("sanitizes keys into MLflow's grammar (property)", () => {
    expect(sanitizeMlflowKey('val/AR@100')).toBe('val/AR_100');
    expect(sanitizeMlflowKey('a//b/../c/')).toBe('a/b/c');
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (k) => {
        const s = sanitizeMlflowKey(k);
        expect(s).toMatch(/^[/\w.\- ]+$/);
        expect(s.length).toBeLessThanOrEqual(250);
        expect(s.startsWith('/') || s.endsWith('/') || s.includes('//') || s.split('/').includes('..')).toBe(false);
      }),
    );
  });

  it('packs to the server limits like the Python client', () => {
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ m: { key: 'training/loss', value: i, timestamp: 1, step: i }, i }));
    const params = Array.from({ length: 150 }, (_, i) => ({ kv: { key: `p${i}`, value: 'x' }, i: 2500 + i }));
    const bodies = packLogBatches(metrics, params, []);
    for (const b of bodies) {
      expect(b.params.length).toBeLessThanOrEqual(LIMITS.params);
      expect(b.metrics.length + b.params.length + b.tags.length).toBeLessThanOrEqual(LIMITS.total);
      expect(JSON.stringify(b).length).toBeLessThan(1_000_000);
    }
    expect(bodies.flatMap((b) => b.metrics)).toHaveLength(2500);
    expect(bodies.flatMap((b) => b.params)).toHaveLength(150);
    expect(bodies[0]!.params).toHaveLength(100);
    expect(bodies[0]!.metrics).toHaveLength(900);
  });

  it('reads the official environment variables', () => {
    const s = resolveMlflowSettings(
      {},
      {
        MLFLOW_TRACKING_URI: 'http://h:5000/',
        MLFLOW_TRACKING_TOKEN: 't',
        MLFLOW_RUN_ID: 'r',
        MLFLOW_EXPERIMENT_NAME: 'e',
        MLFLOW_TRACKING_INSECURE_TLS: 'true',
      },
    );
    expect(s).toMatchObject({ trackingUri: 'http://h:5000', token: 't', runId: 'r', experimentName: 'e', insecureTls: true });
    expect(resolveMlflowSettings({}, {}).insecureTls).toBe(false);
  });
});
