import { MetricsError, type FullQueuePolicy, type Logger } from '@metrics/core';
import {
  isBackendDescriptor,
  isBackendSelection,
  type BackendDescriptor,
  type BackendSelection,
  type Env,
  type ExporterV1,
  type OptionIssue,
  type RunFromEnv,
} from '@metrics/core/backend';
import type { TensorBoardOptions } from '@metrics/tensorboard';
import type { MlflowBackendOptions } from '@metrics/mlflow';
import type { WandbOptions } from '@metrics/wandb';

/**
 * The backends the facade turns on by itself when their package is installed: name → package. Everything
 * else about a backend (options, defaults, environment variables) comes from the descriptor its package
 * exports under that name (`export const mlflow = defineBackend({ … })`).
 */
export const BACKEND_PACKAGES = [
  { name: 'tensorboard', package: '@metrics/tensorboard', envPrefix: 'TENSORBOARD_' },
  { name: 'mlflow', package: '@metrics/mlflow', envPrefix: 'MLFLOW_' },
  { name: 'wandb', package: '@metrics/wandb', envPrefix: 'WANDB_' },
] as const;

export type BuiltInBackend = (typeof BACKEND_PACKAGES)[number]['name'];
export const BUILT_IN_BACKENDS: readonly BuiltInBackend[] = BACKEND_PACKAGES.map((b) => b.name);

/** Per-backend options, keyed by backend name; each is that backend's own options type. */
export interface BackendOptions {
  tensorboard?: TensorBoardOptions;
  mlflow?: MlflowBackendOptions;
  wandb?: Omit<WandbOptions, 'logger'>;
}

/** Imports a backend package by name (the default is a dynamic `import()`; tests inject failures). */
export type BackendImporter = (packageName: string) => Promise<unknown>;

const defaultImporter: BackendImporter = (packageName) => import(packageName);

const NOT_INSTALLED = Symbol.for('metrics.error.BackendNotInstalledError');
/** A backend was asked for (switched on, or given options) but its package is not installed. */
export class BackendNotInstalledError extends MetricsError {
  private readonly [NOT_INSTALLED] = true;
  override readonly name = 'BackendNotInstalledError';
  constructor(
    readonly backend: string,
    readonly packageName: string,
    /** What asked for it, e.g. `mlflowTrackingUri`. */
    readonly askedBy: string,
  ) {
    super(
      `The ${backend} backend is configured (${askedBy}) but ${packageName} is not installed: ` +
        `install it with \`npm install ${packageName}\` (or pnpm/yarn add), or remove ${askedBy}.`,
    );
  }
  static override isInstance(error: unknown): error is BackendNotInstalledError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[NOT_INSTALLED] === true;
  }
}

/**
 * The seed-shaped flat keys, each a thin alias of one backend option (or a switch). Nothing else about
 * the backends lives in the facade.
 */
const FLAT_OPTIONS: readonly { key: string; backend: BuiltInBackend; option: string; map?: (v: unknown) => unknown }[] = [
  { key: 'tensorboardLogDir', backend: 'tensorboard', option: 'logDir' },
  { key: 'tensorboardFlushSecs', backend: 'tensorboard', option: 'flushIntervalMs', map: (v) => (typeof v === 'number' ? v * 1000 : v) },
  { key: 'tensorboardMaxQueue', backend: 'tensorboard', option: 'maxQueue' },
  { key: 'wandbProject', backend: 'wandb', option: 'project' },
  { key: 'wandbEntity', backend: 'wandb', option: 'entity' },
  { key: 'wandbTags', backend: 'wandb', option: 'extraTags' },
  { key: 'wandbDir', backend: 'wandb', option: 'dir' },
  { key: 'wandbMode', backend: 'wandb', option: 'mode' },
  { key: 'mlflowTrackingUri', backend: 'mlflow', option: 'trackingUri' },
  { key: 'mlflowExperiment', backend: 'mlflow', option: 'experimentName' },
];
const switchKey = (backend: string) => `${backend}Logging`;
/** Flat keys that belong to a backend (not options of it), allowed only in the flat form. */
const FLAT_SWITCHES = BUILT_IN_BACKENDS.map(switchKey);

export interface LoadBackendsInput {
  /** The facade's options as given (after its own environment), without fields that failed validation. */
  given: Readonly<Record<string, unknown>>;
  /** `exporters` as given: backends chosen with their options, or ready exporters / trackers. */
  exporters: readonly unknown[] | undefined;
  backendOptions: BackendOptions | undefined;
  env: Env;
  logger: Logger;
  importer?: BackendImporter;
}

export interface LoadedBackend {
  descriptor: BackendDescriptor;
  options: object;
}

export interface LoadedBackends {
  /** Each chosen backend with its validated options (environment merged). Not yet created. */
  backends: LoadedBackend[];
  /** Exporters and trackers passed ready-made in `exporters`. */
  ready: unknown[];
  issues: OptionIssue[];
  /** Run names the backends' environment sets, in backend order. */
  run: RunFromEnv;
}

async function importDescriptor(entry: (typeof BACKEND_PACKAGES)[number], importer: BackendImporter): Promise<BackendDescriptor | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await importer(entry.package)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(String(error))) return undefined;
    throw error;
  }
  const descriptor = mod[entry.name];
  if (!isBackendDescriptor(descriptor))
    throw new Error(`${entry.package} does not export the \`${entry.name}\` backend descriptor; is it an older version? Update it to match @metrics/unified.`);
  return descriptor;
}

/** Values that switch a backend off (`WANDB_MODE=disabled`; `*_DISABLED=true` as in wandb's own client): not a request for it. */
const SWITCHED_OFF = /^(disabled|off)$/i;

/** The variables of a backend's prefix that are set and do not switch it off (for the "not installed" warning). */
function envSetFor(prefix: string, env: Env): string[] {
  return Object.keys(env).filter((k) => {
    const value = env[k];
    if (!k.startsWith(prefix) || value === undefined || value === '') return false;
    return !SWITCHED_OFF.test(value) && !(k.endsWith('_DISABLED') && /^(true|1|yes)$/i.test(value));
  });
}

/** Issues of a backend's options, named by the flat key the user wrote when there is one. */
function renamed(backend: string, issues: readonly OptionIssue[], flat: boolean): OptionIssue[] {
  return issues.map((issue) => {
    const [option, ...rest] = issue.path.split('.');
    const alias = flat ? FLAT_OPTIONS.find((f) => f.backend === backend && f.option === option) : undefined;
    const path = alias ? [alias.key, ...rest].join('.') : `${flat ? 'backendOptions.' : ''}${backend}.${issue.path}`;
    return { path, message: issue.message };
  });
}

function check(descriptor: BackendDescriptor, options: object, env: Env, flat: boolean, out: LoadedBackends): void {
  const checked = descriptor.check(options, env);
  if (!checked.ok) {
    out.issues.push(...renamed(descriptor.name, checked.issues, flat));
    return;
  }
  const run = descriptor.runFromEnv?.(env) ?? {};
  for (const key of ['experiment', 'runName', 'group'] as const) out.run[key] ??= run[key];
  if (descriptor.enabled?.(checked.data) === false) return;
  out.backends.push({ descriptor, options: checked.data });
}

/**
 * Which backends this configuration uses, with their validated options. With `exporters`, exactly those;
 * without, every built-in backend whose package is installed (the flat keys and `backendOptions` are its
 * options). A backend asked for explicitly but not installed is a `BackendNotInstalledError`; one only
 * hinted at by the environment (`MLFLOW_TRACKING_URI`) is skipped with one warning.
 */
export async function loadBackends(input: LoadBackendsInput): Promise<LoadedBackends> {
  const out: LoadedBackends = { backends: [], ready: [], issues: [], run: {} };
  const { given, env } = input;
  if (input.exporters !== undefined) {
    for (const key of [...FLAT_OPTIONS.map((f) => f.key), ...FLAT_SWITCHES]) {
      if (given[key] !== undefined) {
        const backend = FLAT_OPTIONS.find((f) => f.key === key)?.backend ?? key.replace(/Logging$/, '');
        out.issues.push({
          path: key,
          message: `with \`exporters\`, configure ${backend} in ${backend}({ … }) there (or leave it out of exporters), not with ${key}`,
        });
      }
    }
    if (input.backendOptions !== undefined)
      out.issues.push({
        path: 'backendOptions',
        message: 'with `exporters`, pass each backend its options in the exporters list, e.g. mlflow({ trackingUri })',
      });
    for (const item of input.exporters) {
      if (isBackendSelection(item)) check((item as BackendSelection).backend as BackendDescriptor, item.options, env, false, out);
      else if (isBackendDescriptor(item)) check(item, {}, env, false, out);
      else out.ready.push(item);
    }
    return out;
  }
  const importer = input.importer ?? defaultImporter;
  // The packages load side by side (their file reads overlap); they are then checked in a fixed order.
  const descriptors = await Promise.all(BACKEND_PACKAGES.map((entry) => importDescriptor(entry, importer)));
  for (const [index, entry] of BACKEND_PACKAGES.entries()) {
    const switched = given[switchKey(entry.name)];
    const options: Record<string, unknown> = {};
    const askedBy: string[] = switched === true ? [`${switchKey(entry.name)}: true`] : [];
    for (const flat of FLAT_OPTIONS) {
      if (flat.backend !== entry.name || given[flat.key] === undefined) continue;
      options[flat.option] = flat.map ? flat.map(given[flat.key]) : given[flat.key];
      askedBy.push(flat.key);
    }
    const extra = input.backendOptions?.[entry.name];
    if (extra !== undefined && extra !== null && typeof extra === 'object') {
      Object.assign(options, extra);
      if (Object.keys(extra).length > 0) askedBy.push(`backendOptions.${entry.name}`);
    } else if (extra !== undefined) {
      out.issues.push({ path: `backendOptions.${entry.name}`, message: `backendOptions.${entry.name} must be an object of ${entry.name} options` });
      continue;
    }
    const descriptor = descriptors[index];
    if (switched === false) {
      // Off, but its options and variables are still checked: a bad one fails the same way whatever the switches.
      if (descriptor) check(descriptor, options, env, true, { ...out, backends: [] });
      continue;
    }
    if (!descriptor) {
      if (askedBy.length > 0) throw new BackendNotInstalledError(entry.name, entry.package, askedBy.join(', '));
      const hints = envSetFor(entry.envPrefix, env);
      if (hints.length > 0)
        input.logger.warnOnce(
          `backend-missing:${entry.name}`,
          `${hints.join(', ')} ${hints.length > 1 ? 'are' : 'is'} set but ${entry.package} is not installed, so nothing goes to ${entry.name}: ` +
            `\`npm install ${entry.package}\` to log there.`,
        );
      continue;
    }
    check(descriptor, options, env, true, out);
  }
  return out;
}

/** Creates the exporters, and the pipeline's per-backend spill policy from each backend's defaults. */
export function createBackends(
  backends: readonly LoadedBackend[],
  context: { logger: Logger; env: Env; spillDir?: string },
): { exporters: ExporterV1[]; fullQueue: Record<string, FullQueuePolicy>; spillDir?: string } {
  const fullQueue: Record<string, FullQueuePolicy> = {};
  let spillDir = context.spillDir;
  const exporters = backends.map(({ descriptor, options }) => {
    const defaults = descriptor.defaults ?? {};
    if (defaults.fullQueue) fullQueue[descriptor.name] = defaults.fullQueue;
    if (defaults.fullQueue === 'spill') spillDir ??= defaults.spillDir;
    return descriptor.create(options, { logger: context.logger, env: context.env });
  });
  return { exporters, fullQueue, spillDir };
}
