import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openSpool, type Logger } from '@metrics/core';
import { createMlflowExporter } from './exporter.js';

export interface ReplayResult {
  file: string;
  runId?: string;
  sent: number;
  error?: string;
}

/**
 * Sends spooled records to a server: into the run the spool names (resumed by id) or a new run of the
 * same name. A spool file is deleted only after every record was accepted, so a replay that fails halfway
 * can simply be run again (the server drops identical metric rows).
 */
export async function replaySpool(
  path: string,
  options: { trackingUri: string; logger?: Logger; batchSize?: number; /** Credentials and TLS settings (MLFLOW_TRACKING_TOKEN, …). Default process.env. */ env?: NodeJS.ProcessEnv },
): Promise<ReplayResult[]> {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.jsonl') && f.includes('__mlflow'))
        .map((f) => join(path, f))
    : [path];
  const results: ReplayResult[] = [];
  for (const file of files) {
    let spool: ReturnType<typeof openSpool>;
    try {
      spool = openSpool(file);
      if (typeof spool.header.run?.experiment !== 'string' || typeof spool.header.run.runName !== 'string') throw new Error('spool header has no run');
    } catch (error) {
      // A damaged spool is reported and kept for inspection, never half-sent.
      results.push({ file, sent: 0, error: `unreadable spool: ${(error as Error).message}` });
      continue;
    }
    const { header } = spool;
    // The spool says which run; credentials and TLS settings come from the environment, never from the spool.
    const env = { ...(options.env ?? process.env), MLFLOW_RUN_ID: undefined, MLFLOW_EXPERIMENT_ID: undefined, MLFLOW_EXPERIMENT_NAME: undefined };
    const exporter = createMlflowExporter({ trackingUri: options.trackingUri, logger: options.logger, env });
    const runId = header.runIds?.runId;
    const started = await exporter.start({ ...header.run, resume: runId ? { runId } : undefined });
    if (!started.ok) {
      results.push({ file, sent: 0, error: started.error.message });
      await exporter.shutdown({ status: 'failed' });
      continue;
    }
    let sent = 0;
    let error: string | undefined;
    try {
      // Streamed a batch at a time: a spool can hold millions of records.
      for (const batch of spool.batches(options.batchSize ?? 1000)) {
        const r = await exporter.export(batch);
        if (r.ok) sent += batch.length;
        else if (!r.retryable && r.remaining && r.remaining.length < batch.length) {
          // Some records rejected for good (e.g. a param conflict): reported, the rest still goes.
          sent += batch.length - (r.remaining?.length ?? batch.length);
          options.logger?.error(`${file}: ${r.remaining?.length ?? batch.length} records rejected by the server: ${r.error.message}`);
        } else {
          error = r.error.message;
          break;
        }
      }
    } catch (e) {
      error = `unreadable spool: ${(e as Error).message}`;
    }
    await exporter.shutdown(error ? { status: 'failed' } : { status: 'finished' });
    if (!error) rmSync(file);
    results.push({ file, runId: exporter.runIds().runId, sent, error });
  }
  return results;
}
