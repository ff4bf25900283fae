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

function safeSuffix(suffix: string): string {
  // eslint-disable-next-line no-control-regex
  return String(suffix).replace(/[\u0000-\u001f\u007f/\\]/g, '_');
}
