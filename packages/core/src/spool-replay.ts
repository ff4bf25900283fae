import { rmSync } from 'node:fs';
import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';
import type { ExporterV1 } from './spec.js';
import { listSpools } from './spool-files.js';
import { openSpool } from './spool.js';

export interface SpoolReplayResult {
  file: string;
  /** Records the backend accepted. */
  sent: number;
  /** The exporter's run ids after the replay (the run the records went to). */
  runIds: Record<string, string>;
  error?: string;
}

export interface ReplaySpoolOptions {
  /** Only spools of this exporter (by file name) when `path` is a directory. */
  exporter: string;
  /** A fresh exporter per spool file; it is started with the spool's run (and its saved run ids to resume). */
  createExporter: () => ExporterV1;
  logger?: Logger;
  /** Records per export call. Default 1000. */
  batchSize?: number;
}

/**
 * Sends spooled records to a backend: each spool (a file, or every spool of `exporter` in a directory, oldest
 * run first) into the run its header names. A file is deleted only after every record was accepted, so a
 * replay that fails halfway can be run again. A damaged spool is reported and kept, never half-sent.
 */
export async function replaySpool(path: string, options: ReplaySpoolOptions): Promise<SpoolReplayResult[]> {
  const results: SpoolReplayResult[] = [];
  for (const { path: file } of listSpools(path, { exporter: options.exporter })) {
    let spool: ReturnType<typeof openSpool>;
    try {
      spool = openSpool(file);
      if (typeof spool.header.run?.experiment !== 'string' || typeof spool.header.run.runName !== 'string') throw new Error('spool header has no run');
    } catch (error) {
      results.push({ file, sent: 0, runIds: {}, error: `unreadable spool: ${errorMessage(error)}` });
      continue;
    }
    const { header } = spool;
    const exporter = options.createExporter();
    const saved = header.runIds && Object.keys(header.runIds).length > 0 ? header.runIds : undefined;
    // A replay adds to the run the spool was written for; it is no restart, so no `resumeStep` (TensorBoard would hide points).
    const { resumeStep: _notARestart, ...run } = header.run;
    const started = await exporter.start({ ...run, tags: run.tags ?? {}, resume: saved });
    if (!started.ok) {
      results.push({ file, sent: 0, runIds: {}, error: errorMessage(started.error) });
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
          sent += batch.length - r.remaining.length;
          options.logger?.error(`${file}: ${r.remaining.length} records rejected by ${exporter.name}: ${errorMessage(r.error)}`);
        } else {
          error = errorMessage(r.error);
          break;
        }
      }
    } catch (e) {
      error = `unreadable spool: ${errorMessage(e)}`;
    }
    await exporter.shutdown(error ? { status: 'failed' } : { status: 'finished' });
    if (!error) rmSync(file);
    let runIds: Record<string, string> = {};
    try {
      runIds = { ...exporter.runIds() };
    } catch {
      // no ids
    }
    results.push({ file, sent, runIds, error });
  }
  return results;
}
