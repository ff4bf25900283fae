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

/** `events.out.tfevents.<10-digit secs>.<host>.<pid>.<counter><suffix>` (zero-padded: name order = time order). */
export function eventFileName(secs: number, counter: number, suffix = '', host = hostname()): string {
  const h = safeSegment(host).replace(/\s/g, '_');
  return `events.out.tfevents.${String(Math.floor(secs)).padStart(10, '0')}.${h}.${process.pid}.${counter}${safeSuffix(suffix)}`;
}

function safeSuffix(suffix: string): string {
  // eslint-disable-next-line no-control-regex
  return suffix.replace(/[\u0000-\u001f\u007f/\\]/g, '_');
}
