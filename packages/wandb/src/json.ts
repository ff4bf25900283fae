import { numbersJson } from './number-text/index.js';

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

/** The text after the whole seconds for each count of milliseconds: '' for 0, '.005', '.05', '.5', '.125'. */
const MILLIS_TEXT: readonly string[] = Array.from({ length: 1000 }, (_, ms) => (ms === 0 ? '' : `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`));

/**
 * `ms / 1000` as JSON, without the general double-to-string conversion for whole milliseconds (the
 * common case): the text is the exact decimal, so it parses to the same double as `ms / 1000`. A table
 * holds the fraction's text: branches that depend on the digits (taken now and then) made V8 drop the
 * optimized code of the function that inlines this one, again and again (a batch in five ran unoptimized).
 */
export function secondsJson(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) return numberJson(ms / 1000);
  const whole = Math.floor(ms / 1000);
  return String(whole) + MILLIS_TEXT[ms - whole * 1000]!;
}

/**
 * The JSON text of a batch of numbers, made in one call (`numbersJson`) as ASCII bytes that a writer copies
 * token by token (`ProtoWriter.keyTokenItem`): no string per value. Non-finite values come out as `null`
 * tokens: callers write their own NaN/Infinity text and `skip()` them.
 */
export class JsonNumberBatch {
  /** The text as ASCII bytes (valid until the next `load` in this thread). */
  bytes: Uint8Array = new Uint8Array(0);
  /** Where the next number's text starts, and the end of the text (after its `]`). */
  at = 0;
  end = 0;

  load(numbers: ArrayLike<number>): void {
    this.bytes = numbersJson(numbers);
    this.end = this.bytes.length;
    this.at = 1; // after '['
  }

  /** Passes over the next token. */
  skip(): void {
    if (this.at >= this.end) throw new Error('JsonNumberBatch: no number left');
    const b = this.bytes;
    let p = this.at;
    while (b[p] !== 0x2c && b[p] !== 0x5d) p++;
    this.at = p + 1;
  }
}
