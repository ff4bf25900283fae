import { hostname } from 'node:os';

/**
 * One safe path segment from a user-supplied name (experiment, run): no separators, NUL or control
 * characters, never `.`/`..`/empty, at most 200 characters. Keeps everything inside the log directory.
 */
export function safeSegment(name: string): string {
  let s = String(name)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f/\\:]/g, '_')
    .trim();
  if (s.length > 200) s = s.slice(0, 200);
  // No `.`/`..`, and no hidden directories (leading dots) that directory walkers may skip.
  s = s.replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  if (s === '') s = '_';
  return s;
}

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

/** The longest prefix of `s` of at most `maxBytes` UTF-8 bytes, cut between code points. */
export function truncateBytes(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    end += ch.length;
  }
  return s.slice(0, end);
}
