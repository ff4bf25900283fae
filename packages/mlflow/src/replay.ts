import type { Logger } from '@metrics/core';
import { replaySpool as replaySpoolFiles } from '@metrics/core/backend';
import { createMlflowExporter } from './exporter.js';

export interface ReplayResult {
  file: string;
  runId?: string;
  sent: number;
  error?: string;
}

/**
 * Sends MLflow spools (one file, or every MLflow spool in a directory) to a server: each into the run its
 * header names — by run id, else by the run-key tag, else a new run of the same name. See `replaySpool` in
 * @metrics/core for the rules (deleted only when all accepted, damaged spools kept).
 */
export async function replaySpool(
  path: string,
  options: {
    trackingUri: string;
    logger?: Logger;
    batchSize?: number /** Credentials and TLS settings (MLFLOW_TRACKING_TOKEN, …). Default process.env. */;
    env?: NodeJS.ProcessEnv;
  },
): Promise<ReplayResult[]> {
  // The spool says which run; credentials and TLS settings come from the environment, never from the spool.
  const env = { ...(options.env ?? process.env), MLFLOW_RUN_ID: undefined, MLFLOW_EXPERIMENT_ID: undefined, MLFLOW_EXPERIMENT_NAME: undefined };
  const results = await replaySpoolFiles(path, {
    exporter: 'mlflow',
    createExporter: () => createMlflowExporter({ trackingUri: options.trackingUri, logger: options.logger, env }),
    logger: options.logger,
    batchSize: options.batchSize,
  });
  return results.map(({ file, sent, runIds, error }) => ({ file, sent, error, ...(runIds.runId ? { runId: runIds.runId } : {}) }));
}
