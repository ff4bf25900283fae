import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@metrics/core';
import { resolveConfig } from './config.js';
import { createExperimentTracker, type ExperimentTrackerOptions } from './index.js';

function errorOf(run: () => unknown): InvalidConfigError {
  try {
    run();
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('options that are not a plain object', () => {
  for (const options of [null, 42, 'tensorboard', [], true, new Date(0)]) {
    it(`${String(options) || '[]'}: InvalidConfigError at (root) saying what to pass`, async () => {
      const error = await createExperimentTracker(options as unknown as ExperimentTrackerOptions).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(InvalidConfigError.isInstance(error)).toBe(true);
      expect((error as InvalidConfigError).issues).toEqual([{ path: '(root)', message: expect.stringMatching(/must be an object .*pass \{\} or leave them out/) }]);
      expect(() => resolveConfig(options as never, {})).toThrow(/\(root\): the options must be an object/);
    });
  }

  it('undefined and objects without a prototype are fine (defaults)', () => {
    expect(resolveConfig(undefined, {}).tensorboardLogDir).toBe('runs');
    expect(resolveConfig(Object.assign(Object.create(null), { experiment: 'e' }), {}).experiment).toBe('e');
  });

  it('an env that is not an object is a configuration error naming env', () => {
    expect(errorOf(() => resolveConfig({}, null as never)).issues[0]!.path).toBe('env');
  });
});

describe('environment values', () => {
  it('empty variables are unset, as in the W&B and MLflow packages', () => {
    const c = resolveConfig({}, { WANDB_MODE: '', MLFLOW_TRACKING_URI: '', METRICS_EXPERIMENT: '', MLFLOW_EXPERIMENT_NAME: '', WANDB_PROJECT: 'p', WANDB_DIR: '', TENSORBOARD_LOGDIR: '' });
    expect(c).toMatchObject({ experiment: 'p', wandbProject: 'p', tensorboardLogDir: 'runs' });
    expect(c.wandbMode).toBeUndefined();
    expect(c.mlflowTrackingUri).toBeUndefined();
    expect(c.wandbDir).toBeUndefined();
  });

  it('WANDB_MODE in any case and with the W&B aliases (dryrun = offline, run = online)', () => {
    const cases: Record<string, string> = { offline: 'offline', OFFLINE: 'offline', ' Online ': 'online', dryrun: 'offline', DRYRUN: 'offline', run: 'online', Disabled: 'disabled' };
    const got = Object.fromEntries(Object.keys(cases).map((v) => [v, resolveConfig({}, { WANDB_MODE: v }).wandbMode]));
    expect(got).toEqual(cases);
  });

  it('an explicit option wins over the environment, and is not normalized', () => {
    expect(resolveConfig({ wandbMode: 'disabled' }, { WANDB_MODE: 'cloud' }).wandbMode).toBe('disabled');
    expect(() => resolveConfig({ wandbMode: 'OFFLINE' as never }, {})).toThrow(/wandbMode: wandbMode must be "online", "offline" or "disabled"/);
  });

  it('a blank WANDB_MODE or MLFLOW_TRACKING_URI is not a value: rejected, naming the variable', () => {
    const error = errorOf(() => resolveConfig({}, { WANDB_MODE: ' ', MLFLOW_TRACKING_URI: '  ' }));
    expect(error.message).toMatch(/wandbMode: .*WANDB_MODE/);
    expect(error.message).toMatch(/mlflowTrackingUri: .*MLFLOW_TRACKING_URI/);
  });

  it('an invalid variable is reported with its field and the variable the user set', () => {
    const error = errorOf(() => resolveConfig({}, { WANDB_MODE: 'cloud', MLFLOW_TRACKING_URI: '//user:secret@10.0.0.9', WANDB_NAME: '' }));
    expect(error.issues.map((i) => i.path).sort()).toEqual(['mlflowTrackingUri', 'wandbMode']);
    expect(error.message).toMatch(/wandbMode: .*environment variable WANDB_MODE/);
    expect(error.message).toMatch(/mlflowTrackingUri: .*environment variable MLFLOW_TRACKING_URI/);
    // The value itself is not echoed (a URI may carry credentials).
    expect(error.message).not.toContain('secret');
  });

  it('the variable named is the one that was used, among several for one field', () => {
    const error = errorOf(() => resolveConfig({ experimentLoggingInterval: 0 }, { METRICS_EXPERIMENT: '', MLFLOW_EXPERIMENT_NAME: 'm', WANDB_PROJECT: 'p' }));
    expect(error.message).not.toMatch(/environment variable/);
    expect(resolveConfig({}, { METRICS_EXPERIMENT: '', MLFLOW_EXPERIMENT_NAME: 'm', WANDB_PROJECT: 'p' }).experiment).toBe('m');
  });

  it('a tracker is created with each value the backends accept', async () => {
    const created: string[] = [];
    for (const env of [{ WANDB_MODE: '' }, { WANDB_MODE: 'dryrun' }, { WANDB_MODE: 'OFFLINE' }, { MLFLOW_TRACKING_URI: '' }]) {
      const t = await createExperimentTracker({ tensorboardLogging: false, mlflowLogging: false, wandbLogging: false, env, logLevel: 'silent' });
      await t.close();
      created.push(JSON.stringify(env));
    }
    expect(created).toHaveLength(4);
  });
});
