import { mkdtempSync, readdirSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger, InvalidConfigError } from '@metrics/core';
import { tensorboard } from '@metrics/tensorboard';
import { mlflow } from '@metrics/mlflow';
import { wandb } from '@metrics/wandb';
import {
  BackendNotInstalledError,
  createExperimentTracker,
  defineBackend,
  defineTracker,
  type BackendImporter,
  type ExperimentTrackerOptions,
} from './index.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
function temp(): string {
  const root = mkdtempSync(join(tmpdir(), 'unified-backends-'));
  roots.push(root);
  return root;
}

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ sink: (_level, line) => lines.push(line) }) };
}

/** Imports only the given packages; any other fails the way Node fails for a package that is not installed. */
function installedOnly(...packages: string[]): BackendImporter {
  return async (name) => {
    if (packages.includes(name)) return import(name);
    throw Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/@metrics/unified/dist/index.js`), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
  };
}

async function outcome(options: ExperimentTrackerOptions): Promise<unknown> {
  return createExperimentTracker(options).then(
    async (t) => {
      await t.close();
      return t;
    },
    (e: unknown) => e,
  );
}

/** The README's custom backend: one JSON line per scalar. */
const jsonl = defineBackend({
  name: 'jsonl',
  optionsSchema: z.strictObject({
    /** The file to append to. Env `JSONL_PATH`. */
    path: z.string().min(1, 'path must not be empty'),
    /** Also write the run's tags on each line. Default false. */
    withTags: z.boolean().optional(),
  }),
  fromEnv: (env) => ({ path: env.JSONL_PATH }),
  envVars: { path: 'JSONL_PATH' },
  create: (options) =>
    defineTracker({
      name: 'jsonl',
      write(records) {
        for (const r of records) if (r.kind === 'scalar') appendFileSync(options.path, JSON.stringify({ name: r.name, value: r.value, step: r.step }) + '\n');
      },
    }),
});

describe('exporters: backends chosen with their options', () => {
  it('exporters: [tensorboard({ logDir }), mlflow()] logs to exactly those, with each backend`s defaults', async () => {
    const root = temp();
    const { lines, logger } = capture();
    const tracker = await createExperimentTracker({
      experiment: 'e',
      runName: 'r',
      exporters: [tensorboard({ logDir: join(root, 'tb') }), mlflow()],
      mlflowSpoolDir: join(root, 'spool'),
      env: {},
      logger,
      closeTimeoutMs: 2000,
    });
    expect(tracker.backends).toEqual(['tensorboard', 'mlflow']);
    tracker.log({ 'training/loss': 1 }, { step: 0 });
    await tracker.close();
    expect(readdirSync(join(root, 'tb', 'e', 'r')).some((f) => f.startsWith('events.out.tfevents'))).toBe(true);
    // MLflow without a server spills to its spool (its descriptor's default), as it did in the flat form.
    expect(readdirSync(join(root, 'spool')).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('initialized: tensorboard, mlflow'))).toBe(true);
  });

  it('reads the real process.env when no env is given (not a plain object to zod)', async () => {
    const tracker = await createExperimentTracker({ exporters: [wandb({ mode: 'offline', dir: temp() })], logLevel: 'silent' });
    expect(tracker.backends).toEqual(['wandb']);
    await tracker.close();
  });

  it('a misspelt backend option fails where it is written, with a suggestion', () => {
    expect(() => tensorboard({ logdir: 'x' } as never)).toThrow(/logdir: unknown option; did you mean `logDir`\?/);
  });

  it('flat backend keys next to exporters are rejected, naming the fix', async () => {
    const error = await outcome({ exporters: [tensorboard({ logDir: temp() })], mlflowTrackingUri: 'http://127.0.0.1:9', env: {}, logLevel: 'silent' });
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/mlflowTrackingUri: with `exporters`, configure mlflow in mlflow\(\{ … \}\)/);
  });
});

describe('a custom backend through defineBackend', () => {
  it('validates, reads its environment and writes through the facade like a built-in one', async () => {
    const file = join(temp(), 'metrics.jsonl');
    const tracker = await createExperimentTracker({ exporters: [jsonl()], env: { JSONL_PATH: file }, logLevel: 'silent' });
    tracker.log({ 'training/loss': 0.5 }, { step: 3 });
    await tracker.close();
    expect(readFileSync(file, 'utf8')).toBe('{"name":"training/loss","value":0.5,"step":3}\n');

    expect(() => jsonl({ pth: 'x' } as never)).toThrow(/pth: unknown option; did you mean `path`\?/);
    const missing = await outcome({ exporters: [jsonl()], env: {}, logLevel: 'silent' });
    expect(InvalidConfigError.isInstance(missing) && missing.issues.map((i) => i.path)).toEqual(['jsonl.path']);
    const blank = await outcome({ exporters: [jsonl()], env: { JSONL_PATH: '' }, logLevel: 'silent' });
    expect(InvalidConfigError.isInstance(blank)).toBe(true);
    expect(() => jsonl({ withTags: 'yes' } as never)).toThrow(/withTags: /);
  });
});

describe('backendOptions: each backend`s own options, validated', () => {
  it('a misspelt key under backendOptions.tensorboard fails with a suggestion', async () => {
    const error = await outcome({
      ...{ mlflowLogging: false, wandbLogging: false },
      // @ts-expect-error: backendOptions.tensorboard is typed as the TensorBoard options
      backendOptions: { tensorboard: { logdir: 'x' } },
      env: {},
      logLevel: 'silent',
    });
    expect((error as Error).message).toMatch(/backendOptions\.tensorboard\.logdir: unknown option; did you mean `logDir`\?/);
  });
});

describe('a configured backend whose package is not installed (only @metrics/wandb installed)', () => {
  const base = (root: string) => ({ wandbDir: root, backendImporter: installedOnly('@metrics/wandb'), closeTimeoutMs: 2000 });

  for (const [what, options] of [
    ['mlflowTrackingUri', { mlflowTrackingUri: 'http://127.0.0.1:9' }],
    ['tensorboardLogDir', { tensorboardLogDir: 'runs' }],
    ['tensorboardLogging: true', { tensorboardLogging: true }],
    ['backendOptions.mlflow', { backendOptions: { mlflow: { experimentName: 'x' } } }],
  ] as const) {
    it(`${what}: a BackendNotInstalledError naming the package to install`, async () => {
      const error = await outcome({ ...base(temp()), ...options, env: {}, logLevel: 'silent' });
      expect(BackendNotInstalledError.isInstance(error)).toBe(true);
      const pkg = what.startsWith('tensorboard') ? '@metrics/tensorboard' : '@metrics/mlflow';
      expect((error as Error).message).toContain(`npm install ${pkg}`);
      expect((error as Error).message).toContain(what);
    });
  }

  it('MLFLOW_TRACKING_URI alone: one warning naming the package, and "initialized: wandb" only', async () => {
    const root = temp();
    const { lines, logger } = capture();
    const tracker = await createExperimentTracker({ ...base(root), env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' }, logger });
    tracker.log({ 'training/loss': 1 }, { step: 0 });
    await tracker.close();
    expect(tracker.backends).toEqual(['wandb']);
    const warnings = lines.filter((l) => l.includes('@metrics/mlflow'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/MLFLOW_TRACKING_URI is set but @metrics\/mlflow is not installed.*npm install @metrics\/mlflow/);
    expect(lines.filter((l) => l.includes('initialized:'))).toEqual([expect.stringMatching(/initialized: wandb \(run /)]);
  });

  it('a variable that switches a missing backend off (WANDB_MODE=disabled, WANDB_DISABLED=true) asks for nothing: silent', async () => {
    for (const env of [{ WANDB_MODE: 'disabled' }, { WANDB_DISABLED: 'true' }, { WANDB_MODE: 'offline' }]) {
      const { lines, logger } = capture();
      const tracker = await createExperimentTracker({
        tensorboardLogDir: temp(),
        backendImporter: installedOnly('@metrics/tensorboard'),
        closeTimeoutMs: 2000,
        env,
        logger,
      });
      await tracker.close();
      expect(tracker.backends).toEqual(['tensorboard']);
      const warned = lines.filter((l) => /not installed/.test(l));
      // offline is a request for W&B (it just does not upload): that one is still worth the hint.
      expect(warned).toHaveLength(env.WANDB_MODE === 'offline' ? 1 : 0);
    }
  });

  it('nothing configured for the missing ones: silent, wandb only', async () => {
    const { lines, logger } = capture();
    const tracker = await createExperimentTracker({ ...base(temp()), env: {}, logger });
    await tracker.close();
    expect(tracker.backends).toEqual(['wandb']);
    expect(lines.filter((l) => /not installed/.test(l))).toEqual([]);
  });
});
