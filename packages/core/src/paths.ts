/**
 * One safe path segment from a user-supplied name (experiment, run, run id, media name): every backend that
 * makes a file or directory name from one uses this, so the rules live in one place.
 */
export interface SafeSegmentOptions {
  /**
   * - 'unicode' (default): the name as given, but characters no file system takes in a name (`/ \ : * ? " < > |`,
   *   control characters, unpaired surrogates) become `_` one for one, and white space is trimmed at both ends.
   * - 'portable': NFC-normalized, control characters removed, then each run of characters other than
   *   `A-Z a-z 0-9 . _ -` becomes one `_` (names that must survive any tool: URLs, archives, shells).
   */
  charset?: 'unicode' | 'portable';
  /** Longest result in UTF-8 bytes, cut between code points (a file name holds at most 255). Default 200. */
  maxBytes?: number;
}

/** Windows device names: reserved with any extension (`con`, `NUL.txt`, `com1.log`), in any case. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const UNSAFE_UNICODE = /[\u0000-\u001f\u007f/\\:*?"<>|]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * `name` as ONE path segment that stays inside its parent directory on Linux, macOS and Windows: no
 * separators or NUL, never empty, `.` or `..`; no leading dots (hidden files that directory walkers skip),
 * no trailing dots or spaces (Windows drops them, so `run.` and `run` would meet), no Windows device name (`con` →
 * `_con`), at most `maxBytes` UTF-8 bytes. Replacements keep distinct names apart where they can (each
 * unsafe character becomes its own `_` in 'unicode').
 */
export function safeSegment(name: string, options: SafeSegmentOptions = {}): string {
  const maxBytes = Math.max(1, options.maxBytes ?? 200);
  let s = String(name);
  s =
    options.charset === 'portable'
      ? s
          .normalize('NFC')
          .replace(CONTROL, '')
          .replace(/[^A-Za-z0-9._-]+/g, '_')
      : s.replace(UNSAFE_UNICODE, '_').trim();
  s = truncateBytes(s, maxBytes)
    .replace(/^\.+/, (dots) => '_'.repeat(dots.length))
    .replace(/[. ]+$/, (tail) => '_'.repeat(tail.length));
  if (s === '') return '_';
  if (WINDOWS_RESERVED.test(s)) s = truncateBytes(`_${s}`, maxBytes);
  return s;
}

/** The longest prefix of `s` of at most `maxBytes` UTF-8 bytes, cut between code points. */
export function truncateBytes(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes || Buffer.byteLength(s) <= maxBytes) return s;
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
