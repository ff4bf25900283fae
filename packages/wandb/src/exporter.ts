import { EXPORT_OK, SPECIFICATION_VERSION, createLogger, createTracker, withSecrets, type ExporterV1, type Logger, type Tracker, type TrackerOptions } from '@metrics/core';
import { uncapturedLogger } from './console/hub.js';
import { OfflineWandbExporter, WANDB_CAPABILITIES, type OfflineNative } from './offline/offline-exporter.js';
import { OnlineWandbExporter, type OnlineNative } from './online/online-exporter.js';
import { resolveSettings, type WandbOptions } from './settings.js';

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
  };
}

/**
 * A W&B exporter. The mode comes from `options.mode`, else `WANDB_MODE`, else online when an API key
 * is set and offline otherwise.
 */
export function createWandbExporter(options: WandbOptions = {}): ExporterV1<WandbExporterNative> {
  const settings = resolveSettings(options);
  const apiKey = settings.apiKey;
  // The key is masked in every line, also when the caller passes its own logger; our lines never end
  // up in a run's captured console output.
  const logger: Logger = uncapturedLogger(withSecrets(options.logger ?? createLogger({ prefix: '[metrics:wandb]' }), () => [apiKey]));
  if (settings.mode === 'disabled') return disabledExporter();
  if (settings.mode === 'online') return new OnlineWandbExporter(settings, logger);
  return new OfflineWandbExporter(settings, logger);
}

export type WandbTrackerOptions = WandbOptions & Omit<TrackerOptions, 'exporters'>;

/** `createTracker` from @metrics/core with one W&B exporter. */
export function createWandbTracker(options: WandbTrackerOptions = {}): Tracker {
  // One logger for the pipeline and the exporter, so `logLevel` quiets both; the pipeline's own lines
  // (retries, drops) stay out of captured console output too.
  const logger = options.logger ?? createLogger({ level: options.logLevel, prefix: '[metrics:wandb]' });
  return createTracker({ ...options, logger: uncapturedLogger(logger), exporters: [createWandbExporter({ ...options, logger })] });
}
