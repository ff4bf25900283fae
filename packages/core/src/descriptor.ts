import type { z } from 'zod';
import type { Logger } from './logger.js';
import { checkOptions, plainObjectProblem, type OptionIssue, type OptionsCheck } from './options.js';
import { InvalidConfigError } from './errors.js';
import type { FullQueuePolicy } from './pipeline.js';
import type { ExporterV1 } from './spec.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** What a tracker built over this backend should do by default (e.g. MLflow spills to disk when down). */
export interface BackendDefaults {
  /** Full queue / backend down past the retry deadline. Default 'keep' (see `FullQueuePolicy`). */
  fullQueue?: FullQueuePolicy;
  /** Where spilled records go (with `fullQueue: 'spill'`). */
  spillDir?: string;
}

/** What `create` gets besides its options. */
export interface BackendContext {
  logger: Logger;
  env: Env;
}

/** Run names a backend's own environment variables set (W&B's `WANDB_PROJECT` names the experiment). */
export interface RunFromEnv {
  experiment?: string;
  runName?: string;
  group?: string;
}

/** How a backend describes itself: name, options (a zod schema), environment, defaults and factory. */
export interface BackendDefinition<Options extends object, Native = unknown> {
  /** The exporter's name (`tensorboard`, `mlflow`, `jsonl`…), unique among a tracker's backends. */
  name: string;
  /** The npm package it ships in, named when it is not installed. */
  package?: string;
  /** Validates the options: make it strict (`z.strictObject`) so a misspelt key fails with a suggestion. */
  optionsSchema: z.ZodType<Options>;
  /** Options read from the environment; explicit options win over them. Values are validated like options. */
  fromEnv?(env: Env): Partial<Options>;
  /** The variable each option is read from, for error messages and docs (`{ trackingUri: 'MLFLOW_TRACKING_URI' }`). */
  envVars?: Partial<Record<keyof Options & string, string>>;
  /** The run names this backend's environment sets, used when the tracker is not given them. */
  runFromEnv?(env: Env): RunFromEnv;
  defaults?: BackendDefaults;
  /** False when these options turn the backend off (W&B's `mode: 'disabled'`). Default: on. */
  enabled?(options: Options): boolean;
  create(options: Options, context: BackendContext): ExporterV1<Native>;
}

const SELECTION = Symbol.for('metrics.backendSelection');
const DESCRIPTOR = Symbol.for('metrics.backendDescriptor');

/** A backend chosen with its options: `tensorboard({ logDir: 'runs' })`, passed in a tracker's `exporters`. */
export interface BackendSelection<Options extends object = object, Native = unknown> {
  readonly [SELECTION]: true;
  readonly backend: BackendDescriptor<Options, Native>;
  /** The options as given (validated, without the environment). */
  readonly options: Readonly<Partial<Options>>;
}

export interface BackendDescriptor<Options extends object = object, Native = unknown> extends Readonly<BackendDefinition<Options, Native>> {
  readonly [DESCRIPTOR]: true;
  /** Choose this backend with these options; fails at once (naming the fix) on an unknown or bad option. */
  (options?: Partial<Options>): BackendSelection<Options, Native>;
  /** The environment's options overridden by the given ones, validated; issues name the variable a bad value came from. */
  check(options: unknown, env?: Env): OptionsCheck<Options>;
  /** Like `check`, throwing an `InvalidConfigError`. */
  resolve(options: unknown, env?: Env): Options;
}

export function isBackendSelection(value: unknown): value is BackendSelection {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SELECTION] === true;
}

export function isBackendDescriptor(value: unknown): value is BackendDescriptor {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[DESCRIPTOR] === true;
}

function definedEntries(options: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out;
}

/** Validates `options` over what the backend reads from `env`, against `schema`; issues name the variable. */
function checkWithEnv<T>(definition: BackendDefinition<object>, schema: z.ZodType<T>, options: unknown, env: Env): OptionsCheck<T> {
  const problem = plainObjectProblem(options);
  if (problem) return { ok: false, issues: [{ path: '(root)', message: problem }] };
  const explicit = definedEntries((options ?? {}) as object);
  const fromEnv = definedEntries(definition.fromEnv?.(env) ?? {});
  return checkOptions(schema, { ...fromEnv, ...explicit }, (path) => {
    const key = String(path[0]);
    if (key in explicit || !(key in fromEnv)) return undefined;
    const variable = (definition.envVars as Record<string, string | undefined> | undefined)?.[key];
    return { prefix: variable ? `from the environment variable ${variable}` : 'from the environment', suffix: 'fix or unset it' };
  });
}

/**
 * Options for a backend's standalone tracker factory (`createTensorBoardTracker`): the backend's environment
 * under the given options, validated against the factory's schema (core's tracker options plus the
 * backend's). Throws an `InvalidConfigError` naming each bad or unknown option.
 */
export function resolveFactoryOptions<T>(descriptor: BackendDescriptor<object>, schema: z.ZodType<T>, options: unknown, context: string): T {
  // A factory that takes an `env` option (tests) reads its variables from there.
  const given = (options ?? {}) as { env?: unknown };
  const env = typeof given.env === 'object' && given.env !== null ? (given.env as Env) : process.env;
  const checked = checkWithEnv(descriptor, schema, options, env);
  if (checked.ok) return checked.data;
  throw new InvalidConfigError(checked.issues, context);
}

/**
 * Declares a backend. Built-in backends and users' own (a JSONL writer, a database…) use the same helper,
 * so they get the same validation, environment handling and error messages, and plug into
 * `createExperimentTracker({ exporters: [mine({ … })] })`.
 */
export function defineBackend<Options extends object, Native = unknown>(definition: BackendDefinition<Options, Native>): BackendDescriptor<Options, Native> {
  const context = `${definition.name} options`;
  const check = (options: unknown, env: Env = process.env): OptionsCheck<Options> => checkWithEnv(definition, definition.optionsSchema, options, env);
  const resolve = (options: unknown, env?: Env): Options => {
    const checked = check(options, env);
    if (checked.ok) return checked.data;
    throw new InvalidConfigError(checked.issues, context);
  };
  const select = (options: Partial<Options> = {}): BackendSelection<Options, Native> => {
    // Validate what was given now, so a misspelt option fails where it is written.
    const checked = check(options, {});
    // Only what was given: a required option may still come from the environment when the tracker starts.
    const given = checked.ok ? [] : checked.issues.filter((i) => i.path === '(root)' || i.path.split('.')[0]! in (options as object));
    if (given.length > 0) throw new InvalidConfigError(given, context);
    return { [SELECTION]: true, backend: descriptor, options };
  };
  const descriptor = Object.defineProperties(select, {
    name: { value: definition.name, enumerable: true },
    [DESCRIPTOR]: { value: true },
  }) as unknown as BackendDescriptor<Options, Native>;
  const { name: _name, ...rest } = definition;
  Object.assign(descriptor, { ...rest, check, resolve });
  return descriptor;
}

export type { OptionIssue };
