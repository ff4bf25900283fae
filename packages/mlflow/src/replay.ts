import { closeSync, openSync, readSync } from 'node:fs';
import type { Logger } from '@metrics/core';
import { decodeSpoolLine, listSpools, replaySpool as replaySpoolFiles, type SpoolHeader, type SpoolReplayResult } from '@metrics/core/backend';
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
 * @metrics/core for the rules (deleted only when all accepted, damaged spools kept). A child run's spool
 * (`tracker.child`) goes after its parent's, so the child is nested under the replayed parent.
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
  const results: SpoolReplayResult[] = [];
  for (const file of parentsFirst(listSpools(path, { exporter: 'mlflow' }).map((s) => s.path)))
    results.push(
      ...(await replaySpoolFiles(file, {
        exporter: 'mlflow',
        createExporter: () => createMlflowExporter({ trackingUri: options.trackingUri, logger: options.logger, env }),
        logger: options.logger,
        batchSize: options.batchSize,
      })),
    );
  return results.map(({ file, sent, runIds, error }) => ({ file, sent, error, ...(runIds.runId ? { runId: runIds.runId } : {}) }));
}

/** The files, oldest first as listed, except that a child run's spool waits for its parent's (`runIds.parentKey` → `runKey`). */
function parentsFirst(files: string[]): string[] {
  const keys = new Map(files.map((f) => [f, spoolRunKeys(f)]));
  const out: string[] = [];
  const left = new Set(files);
  while (left.size > 0) {
    const pending = new Set<string | undefined>([...left].map((f) => keys.get(f)?.runKey));
    pending.delete(undefined);
    // A spool whose parent is still to come waits; a cycle (damaged headers) falls back to the listed order.
    const next = [...left].find((f) => !pending.has(keys.get(f)?.parentKey)) ?? [...left][0]!;
    out.push(next);
    left.delete(next);
  }
  return out;
}

/** The run keys in a spool's header line, without reading the rest of the file; {} when it cannot be read. */
function spoolRunKeys(file: string): { runKey?: string; parentKey?: string } {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const end = buffer.subarray(0, n).indexOf(10);
    const header = decodeSpoolLine<Partial<SpoolHeader>>(buffer.toString('utf8', 0, end < 0 ? n : end));
    return { runKey: header.runIds?.runKey, parentKey: header.runIds?.parentKey };
  } catch {
    return {};
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
