/**
 * Random configurations for `createExperimentTracker`: each field is left out, set to a valid value, or
 * broken (wrong type, empty, negative, fractional, unknown enum), plus unknown keys and bad environment
 * variables. The tracker is created exactly when nothing is broken; otherwise creation fails with a typed
 * `InvalidConfigError` whose message names every broken field.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidConfigError, MetricsError } from '@metrics/core';
import { createExperimentTracker, type ExperimentTrackerOptions } from '@metrics/unified';
import { readdirSync } from 'node:fs';
import { collectingLogger, removeTree, tempRoot } from './support/security-harness.js';

const RUNS = 300;
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

/** Never a URL with an http(s) scheme: a random host would send the MLflow client onto the network. */
const notHttp = fc.string({ minLength: 1, maxLength: 20 }).map((s) => (/https?:/i.test(s) ? s.replace(/https?:/gi, 'x') : s));
const nonEmpty = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
const notBoolean = fc.constantFrom<unknown>('yes', 1, 0, 'true', null, {});
const notPositive = fc.constantFrom<unknown>(0, -1, -0.5, NaN, Infinity, '10', null);
const notPositiveInt = fc.constantFrom<unknown>(0, -3, 1.5, NaN, '10', null);
const bool = fc.boolean();

interface FieldSpec {
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<unknown>;
}

/** Valid values of the path fields are filled in per run (inside the temp root). */
const FIELDS: Record<string, FieldSpec> = {
  experimentTrackingEnabled: { valid: bool, invalid: notBoolean },
  experiment: { valid: nonEmpty, invalid: fc.constantFrom<unknown>('', 42, null, {}) },
  runName: { valid: nonEmpty, invalid: fc.constantFrom<unknown>('', 7, []) },
  group: { valid: nonEmpty, invalid: fc.constantFrom<unknown>('', 3) },
  tags: {
    valid: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
    invalid: fc.constantFrom<unknown>('a=b', [1], { a: 1 }, { b: null }),
  },
  tensorboardLogging: { valid: bool, invalid: notBoolean },
  tensorboardFlushSecs: { valid: fc.double({ min: 0.001, max: 1e6, noNaN: true }), invalid: notPositive },
  tensorboardMaxQueue: { valid: fc.integer({ min: 1, max: 1000 }), invalid: notPositiveInt },
  wandbLogging: { valid: bool, invalid: notBoolean },
  wandbProject: { valid: nonEmpty, invalid: fc.constantFrom<unknown>('', 5) },
  wandbEntity: { valid: nonEmpty, invalid: fc.constantFrom<unknown>('', false) },
  wandbTags: { valid: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), invalid: fc.constantFrom<unknown>('a,b', [1], [null], {}) },
  wandbMode: { valid: fc.constantFrom('offline', 'disabled', 'online'), invalid: fc.constantFrom<unknown>('cloud', 'OFFLINE', '', 1) },
  mlflowLogging: { valid: bool, invalid: notBoolean },
  mlflowTrackingUri: { valid: fc.constant('http://127.0.0.1:9'), invalid: fc.constantFrom<unknown>('not a url', '', '127.0.0.1:5000', 5000) },
  mlflowExperiment: { valid: nonEmpty, invalid: fc.constantFrom<unknown>('', 1) },
  experimentLoggingInterval: { valid: fc.integer({ min: 1, max: 100 }), invalid: notPositiveInt },
  aggregation: { valid: fc.constantFrom('mean', 'min', 'max', 'last', 'sum', 'ema'), invalid: fc.constantFrom<unknown>('median', 'MEAN', 2) },
  asynchronousLogging: { valid: fc.constant(true), invalid: fc.constantFrom<unknown>(false, 0, 'yes', null) },
  selectiveLogging: { valid: bool, invalid: notBoolean },
  loggingPriority: { valid: fc.constantFrom('high', 'medium', 'low'), invalid: fc.constantFrom<unknown>('urgent', 0) },
  validation: { valid: fc.constantFrom('strict', 'warn', 'normalize'), invalid: fc.constantFrom<unknown>('lenient', true) },
  profiling: { valid: bool, invalid: notBoolean },
  slowTrackingThresholdMs: { valid: fc.integer({ min: 1, max: 10_000 }), invalid: notPositive },
  systemMetricsIntervalMs: { valid: fc.constantFrom(0, 60_000), invalid: fc.constantFrom<unknown>(-1, NaN, '1000') },
  rankGating: { valid: fc.constantFrom('main', 'all'), invalid: fc.constantFrom<unknown>('some', 0) },
  rank: { valid: fc.nat(8), invalid: fc.constantFrom<unknown>(-1, 1.5, '0', NaN) },
  closeTimeoutMs: { valid: fc.integer({ min: 100, max: 60_000 }), invalid: notPositive },
  logLevel: { valid: fc.constantFrom('debug', 'info', 'warn', 'error', 'silent'), invalid: fc.constantFrom<unknown>('verbose', 3) },
  tensorboardLogDir: { valid: fc.constant('(temp)'), invalid: fc.constantFrom<unknown>('', 3) },
  wandbDir: { valid: fc.constant('(temp)'), invalid: fc.constantFrom<unknown>('', {}) },
  mlflowSpoolDir: { valid: fc.constant('(temp)'), invalid: fc.constantFrom<unknown>('', null) },
};

type Choice = { field: string; broken: boolean; value: unknown };

const choice = (field: string, spec: FieldSpec): fc.Arbitrary<Choice | undefined> =>
  fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 3 },
    { arbitrary: spec.valid.map((value) => ({ field, broken: false, value })), weight: 3 },
    { arbitrary: spec.invalid.map((value) => ({ field, broken: true, value })), weight: 1 },
  );

const configArbitrary = fc.record({
  /** About half the runs break nothing, so both outcomes are well covered. */
  clean: fc.boolean(),
  choices: fc.tuple(...Object.entries(FIELDS).map(([f, spec]) => choice(f, spec))),
  unknownKeys: fc.array(fc.constantFrom('tensorboard_log_dir', 'wandbKey', 'mlflowUri', 'Experiment', 'logdir', 'trackers_enabled'), { maxLength: 2 }),
  env: fc.record({
    WANDB_MODE: fc.option(fc.oneof(fc.constantFrom('offline', 'dryrun', 'disabled', 'cloud'), notHttp), { nil: undefined }),
    MLFLOW_TRACKING_URI: fc.option(fc.oneof(fc.constant('http://127.0.0.1:9'), notHttp), { nil: undefined }),
    RANK: fc.option(fc.oneof(fc.constantFrom('0', '1', '-1', 'x'), notHttp), { nil: undefined }),
    METRICS_TRACKING_ENABLED: fc.option(fc.constantFrom('0', 'false', 'yes', 'maybe'), { nil: undefined }),
  }),
});

/** Which environment values the schema must reject (when the option itself does not override them). */
function brokenByEnv(env: Record<string, string | undefined>, set: Set<string>): string[] {
  const out: string[] = [];
  // As W&B reads it: trimmed, any case, with its aliases dryrun → offline and run → online.
  const mode = env.WANDB_MODE?.trim().toLowerCase();
  if (env.WANDB_MODE !== undefined && env.WANDB_MODE !== '' && !set.has('wandbMode') && !['online', 'offline', 'disabled', 'dryrun', 'run'].includes(mode!))
    out.push('wandbMode');
  const uri = env.MLFLOW_TRACKING_URI;
  if (uri !== undefined && uri !== '' && !set.has('mlflowTrackingUri') && !URL.canParse(uri)) out.push('mlflowTrackingUri');
  return out;
}

describe('configuration fuzz', () => {
  it(`${RUNS} random configurations: created exactly when valid, else a typed error naming every broken field`, async () => {
    const outcomes = { created: 0, rejected: 0, fieldsBroken: 0 };
    const cwdBefore = readdirSync(process.cwd()).sort();
    await fc.assert(
      fc.asyncProperty(configArbitrary, async ({ clean, choices, unknownKeys, env }) => {
        if (clean) {
          choices = choices.map((c) => (c?.broken ? undefined : c)) as typeof choices;
          unknownKeys = [];
          env = { ...env, WANDB_MODE: undefined, MLFLOW_TRACKING_URI: undefined };
        }
        const root = tempRoot('config');
        roots.push(root);
        const config: Record<string, unknown> = {};
        const given = new Set<string>();
        const broken: string[] = [];
        for (const c of choices) {
          if (!c) continue;
          given.add(c.field);
          config[c.field] = c.value === '(temp)' ? `${root}/${c.field}` : c.value;
          if (c.broken) broken.push(c.field);
        }
        // Never let a backend write into the working directory.
        for (const f of ['tensorboardLogDir', 'wandbDir', 'mlflowSpoolDir']) if (!given.has(f)) config[f] = `${root}/${f}`;
        for (const k of unknownKeys) config[k] = 'x';
        const cleanEnv = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
        // Values that were set explicitly (and are wrong) are reported; env values only when not overridden.
        const expectBroken = [...broken, ...brokenByEnv(cleanEnv, given), ...unknownKeys];
        const { logger } = collectingLogger('warn');
        let tracker: Awaited<ReturnType<typeof createExperimentTracker>> | undefined;
        let error: unknown;
        try {
          tracker = await createExperimentTracker({
            ...(config as ExperimentTrackerOptions),
            env: cleanEnv,
            logger,
            backendOptions: { wandb: { env: {} }, mlflow: { env: {} } },
          });
        } catch (e) {
          error = e;
        }
        if (tracker) {
          tracker.log({ 'training/loss': 1 }, { step: 0 });
          await tracker.close(undefined, { timeoutMs: 500 });
        }
        if (expectBroken.length === 0) {
          expect(error, `valid config rejected: ${(error as Error)?.message}`).toBeUndefined();
          outcomes.created++;
          return;
        }
        expect(tracker, `broken fields ${expectBroken.join(', ')} were accepted`).toBeUndefined();
        expect(MetricsError.isInstance(error) && InvalidConfigError.isInstance(error), `untyped: ${(error as Error)?.name}: ${(error as Error)?.message}`).toBe(
          true,
        );
        const message = (error as InvalidConfigError).message;
        for (const field of expectBroken) expect(message, `the error names "${field}"`).toContain(field);
        outcomes.rejected++;
        outcomes.fieldsBroken += expectBroken.length;
      }),
      { numRuns: RUNS, seed: 0xc0f1 },
    );
    // Every backend wrote under the temp root: nothing appeared in the working directory.
    expect(readdirSync(process.cwd()).sort()).toEqual(cwdBefore);
    console.log(
      `reliability: config fuzz — ${RUNS} configurations: ${outcomes.created} created, ` +
        `${outcomes.rejected} rejected naming ${outcomes.fieldsBroken} broken fields — held`,
    );
  });

  it('options that are not an object at all are rejected with a typed configuration error', async () => {
    const results: string[] = [];
    // Tracking off through the environment: a wrongly accepted call must not write default dirs into the cwd.
    const saved = process.env.METRICS_TRACKING_ENABLED;
    process.env.METRICS_TRACKING_ENABLED = 'false';
    try {
      for (const options of [null, 42, 'tensorboard', [], true]) {
        try {
          const t = await createExperimentTracker(options as unknown as ExperimentTrackerOptions);
          await t.close(undefined, { timeoutMs: 200 });
          results.push(`${JSON.stringify(options)}: created`);
        } catch (error) {
          results.push(
            `${JSON.stringify(options)}: ` +
              `${InvalidConfigError.isInstance(error) ? 'InvalidConfigError' : `${(error as Error).name}: ${(error as Error).message}`}`,
          );
        }
      }
    } finally {
      if (saved === undefined) delete process.env.METRICS_TRACKING_ENABLED;
      else process.env.METRICS_TRACKING_ENABLED = saved;
    }
    console.log(`reliability: non-object options — 5 tried: ${results.join(' | ')}`);
    for (const r of results) expect(r).toMatch(/InvalidConfigError$/);
  });

  it('environment values the backends accept are accepted by the facade too (empty = unset, W&B mode aliases)', async () => {
    const root = tempRoot('config-env');
    roots.push(root);
    const results: Record<string, string> = {};
    const cases: Record<string, Record<string, string>> = {
      'WANDB_MODE=': { WANDB_MODE: '' },
      'WANDB_MODE=dryrun': { WANDB_MODE: 'dryrun' },
      'WANDB_MODE=OFFLINE': { WANDB_MODE: 'OFFLINE' },
      'MLFLOW_TRACKING_URI=': { MLFLOW_TRACKING_URI: '' },
    };
    for (const [label, env] of Object.entries(cases)) {
      try {
        const t = await createExperimentTracker({
          tensorboardLogging: false,
          mlflowLogging: false,
          wandbDir: `${root}/wb`,
          env,
          logger: collectingLogger('warn').logger,
          backendOptions: { wandb: { env } },
        });
        await t.close(undefined, { timeoutMs: 200 });
        results[label] = 'created';
      } catch (error) {
        results[label] = (error as Error).message.replace(/\s+/g, ' ').slice(0, 120);
      }
    }
    console.log(`reliability: facade env values — ${Object.keys(cases).length} tried: ${JSON.stringify(results)}`);
    expect(results).toEqual(Object.fromEntries(Object.keys(cases).map((k) => [k, 'created'])));
  });
});
