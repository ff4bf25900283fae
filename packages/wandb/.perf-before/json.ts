/** JSON text for a value, with the bare NaN / Infinity / -Infinity tokens W&B accepts for numbers. */
export function toJson(value: unknown): string {
  if (typeof value === 'number') return numberJson(value);
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `__nonfinite__${v}` : v));
    if (text === undefined) return 'null';
    return text.replace(/"__nonfinite__(NaN|Infinity|-Infinity)"/g, '$1');
  } catch {
    return JSON.stringify(String(value));
  }
}

export function numberJson(v: number): string {
  // String(finite number) is valid JSON ("1e-7", "1e+21"); -0 prints as "0" either way.
  if (v - v === 0) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * `ms / 1000` as JSON, without the general double-to-string conversion for whole milliseconds (the
 * common case): the text is the exact decimal, so it parses to the same double as `ms / 1000`.
 */
export function secondsJson(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) return numberJson(ms / 1000);
  const whole = Math.floor(ms / 1000);
  const rest = ms - whole * 1000;
  if (rest === 0) return String(whole);
  const frac = rest < 10 ? `00${rest}` : rest < 100 ? `0${rest}` : String(rest);
  return `${whole}.${frac.endsWith('00') ? frac.slice(0, 1) : frac.endsWith('0') ? frac.slice(0, 2) : frac}`;
}
