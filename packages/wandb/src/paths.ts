import { safeSegment as coreSafeSegment } from '@metrics/core/backend';

/**
 * Any user-supplied name (run id, media name) as ONE safe path segment: core's `safeSegment` with the
 * 'portable' charset (W&B's file names stay `A-Z a-z 0-9 . _ -`), at most `maxLength` characters.
 */
export function safeSegment(name: string, maxLength = 100): string {
  return coreSafeSegment(name, { charset: 'portable', maxBytes: maxLength });
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
