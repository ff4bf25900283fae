import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { safeSegment } from './paths.js';
import type { RunInfo } from './spec.js';

/**
 * The naming contract of spool files, in one place: `<experiment>__<run>__<exporter>__<start>-<rand>.jsonl`,
 * where `<start>` is the run's start time as `YYYYMMDDTHHMMSSmmmZ` (UTC) and `<rand>` 6 hex digits. The name is
 * unique per attempt, so a second run with the same experiment and run name never overwrites the first's spool.
 * Files named by the earlier contract (`<experiment>__<run>__<exporter>.jsonl`) are still listed.
 */
export function spoolFileName(run: Pick<RunInfo, 'experiment' | 'runName' | 'startTime'>, exporter: string, random = randomBytes(3).toString('hex')): string {
  return `${safePart(run.experiment)}__${safePart(run.runName)}__${safePart(exporter)}__${stamp(run.startTime)}-${random}.jsonl`;
}

export interface SpoolFileEntry {
  path: string;
  file: string;
  exporter: string;
  /** Start time encoded in the name (ms since the epoch); undefined for files of the earlier contract. */
  startTime?: number;
}

/**
 * The spool files in `path` (a directory, or one file), optionally of one exporter, oldest run first.
 * A missing path is an error naming it.
 */
export function listSpools(path: string, options: { exporter?: string } = {}): SpoolFileEntry[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no spool file or directory at ${path}`);
    throw error;
  }
  if (!isDir) {
    const file = path.split(/[\\/]/).pop()!;
    return [{ path, file, exporter: parseSpoolFileName(file)?.exporter ?? options.exporter ?? '' }];
  }
  const out: SpoolFileEntry[] = [];
  for (const file of readdirSync(path)) {
    const parsed = parseSpoolFileName(file);
    if (!parsed || (options.exporter !== undefined && parsed.exporter !== options.exporter)) continue;
    out.push({ path: join(path, file), file, ...parsed });
  }
  return out.sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0) || a.file.localeCompare(b.file));
}

/** Exporter and start time from a spool file name, or undefined when the name is not a spool's. */
export function parseSpoolFileName(file: string): { exporter: string; startTime?: number } | undefined {
  const current = /^.*__([A-Za-z0-9_.-]+?)__(\d{8}T\d{9}Z)-[0-9a-f]+\.jsonl$/.exec(file);
  if (current) return { exporter: current[1]!, startTime: parseStamp(current[2]!) };
  const earlier = /^.*__([A-Za-z0-9.-]+)\.jsonl$/.exec(file);
  return earlier ? { exporter: earlier[1]! } : undefined;
}

function safePart(s: string): string {
  // `__` separates the parts, so a name never contains two underscores in a row.
  return safeSegment(s, { charset: 'portable', maxBytes: 80 }).replace(/_{2,}/g, '_');
}

function stamp(ms: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : Date.now());
  return d.toISOString().replace(/[-:.]/g, '');
}

function parseStamp(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(s)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
}
