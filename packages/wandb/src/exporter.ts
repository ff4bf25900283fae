import { createLogger, createTracker, type Logger, type Tracker, type TrackerOptions } from '@metrics/core';
import {
  EXPORT_OK,
  SPECIFICATION_VERSION,
  parseOptions,
  pickOptions,
  resolveFactoryOptions,
  trackerOptionsSchema,
  withSecrets,
  type ChildRun,
  type ExporterV1,
  type RunInfo,
} from '@metrics/core/backend';
import { uncapturedLogger } from './console/hub.js';
import { OfflineWandbExporter, WANDB_CAPABILITIES, type OfflineNative } from './offline/offline-exporter.js';
import { OnlineWandbExporter, type OnlineNative } from './online/online-exporter.js';
import { wandb } from './backend.js';
import { resolveSettings, wandbOptionsSchema, type ResolvedSettings, type WandbOptions } from './settings.js';

export type WandbExporterNative = OfflineNative | OnlineNative | { readonly mode: 'disabled' };

/** `WANDB_MODE=disabled`: accepts everything, writes nothing. */
function disabledExporter(): ExporterV1<WandbExporterNative> {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'wandb',
    capabilities: WANDB_CAPABILITIES,
    start: async () => EXPORT_OK,
    export: async () => EXPORT_OK,
    // Also when the queue is full: nothing to write, so nothing is spooled either.
    startSync: () => EXPORT_OK,
    exportSync: () => EXPORT_OK,
    forceFlush: async () => {},
    shutdown: async () => {},
    runIds: () => ({}),
    native: () => ({ mode: 'disabled' }),
    child: () => disabledExporter(),
  };
}

/**
 * A W&B exporter. The mode comes from `options.mode`, else `WANDB_MODE`, else online when an API key
 * is set and offline otherwise.
 */
export function createWandbExporter(options: WandbOptions = {}): ExporterV1<WandbExporterNative> {
  // A bad option fails here, naming the fix (the environment is read, leniently, by the settings).
  const settings = resolveSettings(parseOptions(wandbOptionsSchema, options, 'createWandbExporter options') as WandbOptions);
  const apiKey = settings.apiKey;
  // The key is masked in every line, also when the caller passes its own logger; our lines never end
  // up in a run's captured console output.
  const logger: Logger = uncapturedLogger(withSecrets(options.logger ?? createLogger({ prefix: '[metrics:wandb]' }), () => [apiKey]));
  if (settings.mode === 'disabled') return disabledExporter();
  return modeExporter(settings, logger);
}

/** The online or offline exporter of these settings, with the extra tags and child runs. */
function modeExporter(settings: ResolvedSettings, logger: Logger): ExporterV1<WandbExporterNative> {
  const exporter = settings.mode === 'online' ? new OnlineWandbExporter(settings, logger) : new OfflineWandbExporter(settings, logger);
  return withChildRuns(withExtraTags(exporter, settings), settings, logger);
}

/**
 * Child runs (`Tracker.child`): W&B runs of their own (a run id, directory and file stream each), in this
 * run's group with the child's job type, as wandb's own cross-validation examples group them. A run without
 * a group gives its children one named after it (W&B cannot move a started run into a group offline).
 * Never this run's id or resume policy, and no second console capture.
 */
function withChildRuns(exporter: ExporterV1<WandbExporterNative>, settings: ResolvedSettings, logger: Logger): ExporterV1<WandbExporterNative> {
  let parentRun: RunInfo | undefined;
  const prepare = exporter.prepare?.bind(exporter);
  exporter.prepare = (run) => {
    parentRun = run;
    prepare?.(run);
  };
  exporter.child = ({ jobType }: ChildRun) => {
    const childSettings: ResolvedSettings = { ...settings, runId: undefined, resume: undefined, jobType, notes: undefined, console: 'off' };
    const child = modeExporter(childSettings, logger);
    const inGroup = (run: RunInfo): RunInfo => ({ ...run, group: run.group ?? parentRun?.group ?? parentRun?.runName });
    const [childPrepare, start, startSync] = [child.prepare?.bind(child), child.start.bind(child), child.startSync?.bind(child)];
    child.prepare = (run) => childPrepare?.(inGroup(run));
    child.start = (run) => start(inGroup(run));
    if (startSync) child.startSync = (run) => startSync(inGroup(run));
    return child;
  };
  return exporter;
}

/** `extraTags` (`WANDB_TAGS`) join the tracker's tags in the run W&B sees (a tag alone: `key` with no value). */
function withExtraTags<E extends ExporterV1<WandbExporterNative>>(exporter: E, settings: ResolvedSettings): E {
  if (settings.extraTags.length === 0) return exporter;
  const start = exporter.start.bind(exporter);
  const extra = Object.fromEntries(settings.extraTags.map((t) => [t, '']));
  exporter.start = (run) => start({ ...run, tags: { ...extra, ...run.tags } });
  return exporter;
}

export type WandbTrackerOptions = WandbOptions & Omit<TrackerOptions, 'exporters'>;

const trackerSchema = trackerOptionsSchema.extend(wandbOptionsSchema.shape);

/**
 * `createTracker` from @metrics/core with one W&B exporter. Unknown or bad options, and a `WANDB_MODE` wandb
 * does not know, fail here with an `InvalidConfigError` naming the fix.
 */
export function createWandbTracker(options: WandbTrackerOptions = {}): Tracker {
  const resolved = resolveFactoryOptions(wandb, trackerSchema, options, 'createWandbTracker options') as WandbTrackerOptions;
  // One logger for the pipeline and the exporter, so `logLevel` quiets both; the pipeline's own lines
  // (retries, drops) stay out of captured console output too.
  const logger = resolved.logger ?? createLogger({ level: resolved.logLevel, prefix: '[metrics:wandb]' });
  return createTracker({
    ...resolved,
    logger: uncapturedLogger(logger),
    exporters: [createWandbExporter({ ...pickOptions(wandbOptionsSchema, resolved), logger })],
  });
}
