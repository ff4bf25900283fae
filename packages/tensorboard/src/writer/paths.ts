import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { safeSegment, truncateBytes } from '@metrics/core/backend';

/** Longest file name (in bytes) that common file systems accept (NAME_MAX); longer fails with ENAMETOOLONG. */
export const MAX_FILE_NAME_BYTES = 255;
/** Bytes of the host part at most, so a long host name still leaves room for the suffix. */
const MAX_HOST_BYTES = 64;

/**
 * `events.out.tfevents.<10-digit secs>.<host>.<pid>.<counter><suffix>` (zero-padded: name order = time order).
 * The host and then the suffix are shortened so the name stays within {@link MAX_FILE_NAME_BYTES} bytes.
 */
export function eventFileName(secs: number, counter: number, suffix = '', host = hostname()): string {
  const h = truncateBytes(safeSegment(host).replace(/\s/g, '_'), MAX_HOST_BYTES);
  const name = `events.out.tfevents.${String(Math.floor(secs)).padStart(10, '0')}.${h}.${process.pid}.${counter}`;
  return name + truncateBytes(safeSuffix(suffix), MAX_FILE_NAME_BYTES - Buffer.byteLength(name));
}

const EVENT_FILE_SECS = /^events\.out\.tfevents\.(\d+)\./;

/**
 * Seconds for a new event file's name that sort it after every event file already in `dir`. Both loaders
 * read a run's files in name order, and a resumed run's restart marker must be read after the points it
 * hides; a file of the same second from another process (another pid) could otherwise sort after it.
 * `secs` itself unless an existing name has the same or a later second (then that second + 1).
 */
export function secsAfterExisting(dir: string, secs: number): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return secs; // no directory yet: nothing to sort after
  }
  let latest = -1;
  for (const name of names) {
    const m = EVENT_FILE_SECS.exec(name);
    if (m) latest = Math.max(latest, Number(m[1]));
  }
  return latest >= Math.floor(secs) ? latest + 1 : secs;
}

function safeSuffix(suffix: string): string {
  // eslint-disable-next-line no-control-regex
  return String(suffix).replace(/[\u0000-\u001f\u007f/\\]/g, '_');
}
