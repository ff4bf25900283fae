/**
 * THE retry policy of @metrics: exponential backoff with full jitter, a server's Retry-After wins when
 * longer, and a deadline after which we give up. The pipeline uses it for exports; backends use
 * `withRetry` for protocol steps (create run, upload) so there is one policy, not one per backend.
 */
export interface RetryPolicy {
  /** First backoff, ms. */
  initialDelayMs: number;
  /** Cap for one backoff, ms. */
  maxDelayMs: number;
  multiplier: number;
  /** Give up on a record or request after this long since its first attempt, ms. */
  deadlineMs: number;
  /** Upper bound on attempts (including the first). */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  initialDelayMs: 250,
  maxDelayMs: 30_000,
  multiplier: 2,
  deadlineMs: 10 * 60_000,
  maxAttempts: Number.POSITIVE_INFINITY,
});

/** Delay before attempt `attempt + 1` (attempt counts from 1). `random` in [0,1) for tests. */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1));
  // "Equal jitter": half fixed, half random, so delays grow but concurrent clients spread out.
  const backoff = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(backoff, retryAfterMs ?? 0);
}

/** Parses a Retry-After header (seconds or HTTP date) into ms; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined | null, now = Date.now()): number | undefined {
  if (header == null) return undefined;
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === '') return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface RetryableFailure {
  retryable: boolean;
  retryAfterMs?: number;
}

/** Classifies an error thrown inside `withRetry`; the default trusts an `isRetryable` field. */
/** Local file-system errors that retrying cannot heal: a path through a file, no permission, a read-only disk, a too-long name. */
const PERMANENT_FS_CODES = new Set(['ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENAMETOOLONG']);

export function classifyError(error: unknown): RetryableFailure {
  const e = error as { isRetryable?: boolean; retryAfterMs?: number; code?: unknown } | undefined;
  if (e?.isRetryable === undefined && typeof e?.code === 'string' && PERMANENT_FS_CODES.has(e.code)) return { retryable: false };
  return { retryable: e?.isRetryable ?? true, retryAfterMs: e?.retryAfterMs };
}

/** Runs `fn` until it succeeds, fails non-retryably, or the policy's deadline/attempts run out. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: {
    policy?: Partial<RetryPolicy>;
    classify?: (error: unknown) => RetryableFailure;
    onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
    signal?: AbortSignal;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const classify = options.classify ?? classifyError;
  const sleep = options.sleep ?? ((ms: number) => delay(ms, options.signal));
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const { retryable, retryAfterMs } = classify(error);
      const wait = retryDelay(attempt, policy, retryAfterMs);
      const outOfTime = Date.now() - started + wait > policy.deadlineMs;
      if (!retryable || attempt >= policy.maxAttempts || outOfTime || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt, wait);
      await sleep(wait);
    }
  }
}

/** A sleep whose timer never keeps the process alive. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref?.();
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
