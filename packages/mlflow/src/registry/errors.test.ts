import { describe, expect, it } from 'vitest';
import { InvalidCallError } from '@metrics/core';
import { MlflowApiError } from '../client.js';
import { checkAlias, checkVersion, MlflowRegistryError, registryError } from './errors.js';
import { RegistryUsage } from './usage-metrics.js';

const refused = (code: string, message: string) =>
  new MlflowApiError(`POST /api/2.0/mlflow/x → HTTP 400 ${code}: ${message}`, code, { statusCode: 400, isRetryable: false });

describe('registry errors', () => {
  it('turn a refusal into an MlflowRegistryError naming the fix; retryable failures pass through', () => {
    const e = registryError(refused('RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=7) not found'), 'setAlias', { name: 'm', version: '7' });
    expect(MlflowRegistryError.isInstance(e)).toBe(true);
    expect(MlflowApiError.isInstance(e)).toBe(true);
    expect((e as MlflowRegistryError).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((e as Error).message).toBe(
      'MLflow registry: setAlias: Model Version (name=m, version=7) not found — model "m" has no version 7: register it first ' +
        `(registry.registerModel) or pick an existing one (registry.searchModelVersions("name='m'"))`,
    );
    const alias = registryError(refused('INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.'), 'get', { name: 'm', alias: 'champion' });
    expect((alias as Error).message).toMatch(/has no alias "champion": set it first with registry\.setAlias\("m", "champion", version\)$/);
    const down = new MlflowApiError('connect ECONNREFUSED', 'ECONNREFUSED', { isRetryable: true });
    expect(registryError(down, 'setAlias', {})).toBe(down);
  });

  it('bad arguments throw InvalidCallError naming the rule', () => {
    expect(checkVersion('setAlias', 3)).toBe('3');
    expect(() => checkVersion('setAlias', 0)).toThrow(InvalidCallError);
    expect(() => checkVersion('setAlias', '1.5')).toThrow(/positive integer/);
    expect(() => checkAlias('setAlias', 'Latest')).toThrow(/reserved/);
    expect(() => checkAlias('setAlias', 'v12')).toThrow(/reserved/);
    expect(() => checkAlias('setAlias', 'has space')).toThrow(/letters, digits/);
    expect(checkAlias('setAlias', 'champion')).toBe('champion');
  });
});

describe('registry usage metrics', () => {
  it('count calls, errors and registrations at the tracker’s current step, and never throw', () => {
    const logged: { values: Record<string, number>; step?: number }[] = [];
    const usage = new RegistryUsage({ step: 42, log: (values, options) => logged.push({ values: { ...values }, step: options?.step }) });
    usage.record(5, { failed: false, registeredVersion: '3' });
    usage.record(7, { failed: true });
    expect(logged).toEqual([
      {
        step: 41,
        values: {
          'usage/registry_operations': 1,
          'usage/registry_errors': 0,
          'usage/registry_latency_ms': 5,
          'usage/model_registrations': 1,
          'model/registered_version': 3,
        },
      },
      { step: 41, values: { 'usage/registry_operations': 2, 'usage/registry_errors': 1, 'usage/registry_latency_ms': 7 } },
    ]);
    const throwing = new RegistryUsage({
      log: () => {
        throw new Error('closed');
      },
    });
    expect(() => throwing.record(1, { failed: false })).not.toThrow();
    expect(throwing.operations).toBe(1);
  });
});
