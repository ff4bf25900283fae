/**
 * Turns any user-supplied name (run id, metric name) into ONE safe path segment: no separators, no
 * `..`, no NUL or control characters, bounded length. Never returns an empty string.
 */
export function safeSegment(name: string, maxLength = 100): string {
  let s = String(name)
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.]+/, '_');
  if (s.length > maxLength) s = s.slice(0, maxLength);
  if (s === '' || s === '.' || s === '..') s = '_';
  return s;
}

/** W&B run ids: letters, digits, `_` and `-` only (W&B forbids `/ \ # ? % :`), at most 64 characters. */
export function safeRunId(id: string): string {
  const s = String(id)
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .slice(0, 64);
  return s === '' || /^-+$/.test(s) ? randomRunId() : s;
}

/** 8 characters from [a-z0-9], like wandb's generated ids. */
export function randomRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Local time as `YYYYMMDD_HHMMSS` (the offline directory's timestamp). */
export function localStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
