import type { ExporterV1, Logger } from '@metrics/core';
import type { ExperimentConfig } from './config.js';

export type BuiltInBackend = 'tensorboard' | 'mlflow' | 'wandb';
export const BUILT_IN_BACKENDS: readonly BuiltInBackend[] = ['tensorboard', 'mlflow', 'wandb'];

const PACKAGES: Record<BuiltInBackend, string> = {
  tensorboard: '@metrics/tensorboard',
  mlflow: '@metrics/mlflow',
  wandb: '@metrics/wandb',
};

/** Per-backend options, passed through to that backend's exporter factory (keyed by backend name). */
export interface BackendOptions {
  tensorboard?: Record<string, unknown>;
  mlflow?: Record<string, unknown>;
  wandb?: Record<string, unknown>;
}

export class BackendNotInstalledError extends Error {
  override readonly name = 'BackendNotInstalledError';
  constructor(readonly backend: BuiltInBackend) {
    super(`The ${backend} backend needs its package: install it with \`npm install ${PACKAGES[backend]}\` (or pnpm/yarn add), or turn it off with ${backend}Logging: false.`);
  }
}

type Factory = (options: Record<string, unknown>) => ExporterV1;

/** Loads a backend's package only when asked for, so users install just the backends they use. */
async function loadFactory(backend: BuiltInBackend): Promise<Factory | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(PACKAGES[backend])) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(String(error))) return undefined;
    throw error;
  }
  const name = { tensorboard: 'createTensorBoardExporter', mlflow: 'createMlflowExporter', wandb: 'createWandbExporter' }[backend];
  const factory = mod[name];
  if (typeof factory !== 'function') throw new Error(`${PACKAGES[backend]} does not export ${name}; is it an older version?`);
  return factory as Factory;
}

/** Options for each built-in backend from the facade's configuration, overridden by `backendOptions`. */
function optionsFor(backend: BuiltInBackend, config: ExperimentConfig, experiment: string, extra: BackendOptions, logger: Logger): Record<string, unknown> {
  const common = { logger };
  switch (backend) {
    case 'tensorboard':
      return {
        ...common,
        logDir: config.tensorboardLogDir,
        flushIntervalMs: config.tensorboardFlushSecs * 1000,
        maxQueue: config.tensorboardMaxQueue,
        ...extra.tensorboard,
      };
    case 'mlflow':
      return {
        ...common,
        trackingUri: config.mlflowTrackingUri,
        experimentName: config.mlflowExperiment ?? experiment,
        ...extra.mlflow,
      };
    case 'wandb':
      return {
        ...common,
        project: config.wandbProject ?? experiment,
        entity: config.wandbEntity,
        tags: config.wandbTags,
        dir: config.wandbDir,
        mode: config.wandbMode,
        ...extra.wandb,
      };
  }
}

/**
 * The built-in exporters this configuration turns on. A backend left `undefined` is used when its
 * package is installed; `true` makes it required.
 */
export async function loadBuiltInExporters(config: ExperimentConfig, experiment: string, extra: BackendOptions, logger: Logger): Promise<ExporterV1[]> {
  const wanted: [BuiltInBackend, boolean | undefined][] = [
    ['tensorboard', config.tensorboardLogging],
    ['mlflow', config.mlflowLogging],
    ['wandb', config.wandbMode === 'disabled' ? false : config.wandbLogging],
  ];
  // The packages load side by side (their file reads overlap); exporters are then made in a fixed order.
  const factories = await Promise.all(wanted.map(([backend, switch_]) => (switch_ === false ? undefined : loadFactory(backend))));
  const exporters: ExporterV1[] = [];
  for (const [i, [backend, switch_]] of wanted.entries()) {
    if (switch_ === false) continue;
    const factory = factories[i];
    if (!factory) {
      if (switch_ === true) throw new BackendNotInstalledError(backend);
      continue;
    }
    exporters.push(factory(optionsFor(backend, config, experiment, extra, logger)));
  }
  return exporters;
}
