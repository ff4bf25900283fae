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
      expect((error as InvalidConfigError).issues).toEqual([
        { path: '(root)', message: expect.stringMatching(/must be an object .*pass \{\} or leave them out/) },
      ]);
      expect(() => resolveConfig(options as never, {})).toThrow(/\(root\): the options must be an object/);
    });
  }

  it('undefined and objects without a prototype are fine (defaults)', () => {
    expect(resolveConfig(undefined, {}).experimentLoggingInterval).toBe(10);
    expect(resolveConfig(Object.assign(Object.create(null), { experiment: 'e' }), {}).experiment).toBe('e');
  });

  it('an env that is not an object is a configuration error naming env', () => {
    expect(errorOf(() => resolveConfig({}, null as never)).issues[0]!.path).toBe('env');
  });
});

/** Creation through the facade with every built-in backend off, except those named. */
const only = (...on: string[]) => ({
  tensorboardLogging: on.includes('tensorboard') ? undefined : false,
  mlflowLogging: on.includes('mlflow') ? undefined : false,
  wandbLogging: on.includes('wandb') ? undefined : false,
  logLevel: 'silent' as const,
});

async function rejection(options: ExperimentTrackerOptions): Promise<InvalidConfigError> {
  const error = await createExperimentTracker(options).then(
    async (t) => {
      await t.close();
      return new Error('expected an InvalidConfigError');
    },
    (e: unknown) => e,
  );
  if (InvalidConfigError.isInstance(error)) return error;
  throw error;
}

describe('environment values (each backend reads its own, through its descriptor)', () => {
  it('the facade itself reads only METRICS_* and RANK', () => {
    const c = resolveConfig(
      {},
      { WANDB_MODE: 'cloud', MLFLOW_TRACKING_URI: 'x', TENSORBOARD_LOGDIR: 'y', WANDB_PROJECT: 'p', METRICS_EXPERIMENT: 'e', RANK: '2' },
    );
    expect(c).toMatchObject({ experiment: 'e', rank: 2 });
    expect([c.wandbMode, c.mlflowTrackingUri, c.tensorboardLogDir, c.wandbProject]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('empty variables are unset; a backend variable names the experiment (MLflow first, then W&B)', async () => {
    const env = {
      WANDB_MODE: '',
      MLFLOW_TRACKING_URI: '',
      METRICS_EXPERIMENT: '',
      MLFLOW_EXPERIMENT_NAME: '',
      WANDB_PROJECT: 'p',
      WANDB_DIR: '',
      TENSORBOARD_LOGDIR: '',
    };
    const t = await createExperimentTracker({ ...only('wandb', 'mlflow'), experimentTrackingEnabled: false, env });
    expect(t.runHandle().experiment).toBe('p');
    await t.close();
    const t2 = await createExperimentTracker({
      ...only('wandb', 'mlflow'),
      experimentTrackingEnabled: false,
      env: { METRICS_EXPERIMENT: '', MLFLOW_EXPERIMENT_NAME: 'm', WANDB_PROJECT: 'p' },
    });
    expect(t2.runHandle().experiment).toBe('m');
    await t2.close();
  });

  it('an explicit option wins over the environment, and is not normalized', async () => {
    const t = await createExperimentTracker({ ...only('wandb'), wandbMode: 'disabled', env: { WANDB_MODE: 'cloud' } });
    expect(t.backends).toEqual([]);
    await t.close();
    expect(() => resolveConfig({ wandbMode: 'OFFLINE' as never }, {})).toThrow(/wandbMode: wandbMode must be "online", "offline" or "disabled"/);
  });

  it('a blank WANDB_MODE or MLFLOW_TRACKING_URI is not a value: rejected, naming the option and the variable', async () => {
    const error = await rejection({ ...only('wandb', 'mlflow'), env: { WANDB_MODE: ' ', MLFLOW_TRACKING_URI: '  ' } });
    expect(error.message).toMatch(/wandbMode: .*WANDB_MODE/);
    expect(error.message).toMatch(/mlflowTrackingUri: .*MLFLOW_TRACKING_URI/);
  });

  it('an invalid variable is reported with its field and the variable the user set, also when tracking is off', async () => {
    const error = await rejection({
      ...only('wandb', 'mlflow'),
      experimentTrackingEnabled: false,
      env: { WANDB_MODE: 'cloud', MLFLOW_TRACKING_URI: '//user:secret@10.0.0.9', WANDB_NAME: '' },
    });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['mlflowTrackingUri', 'wandbMode']);
    expect(error.message).toMatch(/wandbMode: .*environment variable WANDB_MODE/);
    expect(error.message).toMatch(/mlflowTrackingUri: .*environment variable MLFLOW_TRACKING_URI/);
    // The value itself is not echoed (a URI may carry credentials).
    expect(error.message).not.toContain('secret');
  });

  it('facade and backend issues are reported together', async () => {
    const error = await rejection({ ...only('wandb'), experimentLoggingInterval: 0, env: { WANDB_MODE: 'cloud' } });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['experimentLoggingInterval', 'wandbMode']);
  });

  it('a tracker is created with each value the backends accept', async () => {
    const created: string[] = [];
    for (const env of [{ WANDB_MODE: '' }, { WANDB_MODE: 'dryrun' }, { WANDB_MODE: 'OFFLINE' }, { MLFLOW_TRACKING_URI: '' }]) {
      const t = await createExperimentTracker({ ...only(), env });
      await t.close();
      created.push(JSON.stringify(env));
    }
    expect(created).toHaveLength(4);
  });
});

describe('misspelt options', () => {
  it('an unknown facade option says which option it resembles', async () => {
    const error = await rejection({ ...only(), tensorbordLogDir: 'x', validation: 'strcit', env: {} } as never);
    expect(error.message).toMatch(/tensorbordLogDir: unknown option; did you mean `tensorboardLogDir`\?/);
    expect(error.message).toMatch(/validation: .*did you mean `strict`\?/);
  });
});
