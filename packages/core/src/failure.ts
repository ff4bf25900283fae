import { classifyError } from './retry.js';
import type { ExportResult, TrackingRecord } from './spec.js';

export type ExportFailure = Extract<ExportResult, { ok: false }>;

/**
 * THE failed `ExportResult` of every backend. Whether the pipeline tries again has one default, core's
 * `classifyError`: an `ExportError` says so itself (`isRetryable`, from its HTTP status), a file-system
 * error retrying cannot heal (EACCES, EROFS, ENOTDIR…) is final, and anything else is retried. Pass
 * `retryable` only where the backend knows better (records it could never encode).
 */
export function failure(error: unknown, options: { retryable?: boolean; retryAfterMs?: number; remaining?: readonly TrackingRecord[] } = {}): ExportFailure {
  const classified = classifyError(error);
  const result: ExportFailure = {
    ok: false,
    error: error instanceof Error ? error : new Error(String(error)),
    retryable: options.retryable ?? classified.retryable,
  };
  const retryAfterMs = options.retryAfterMs ?? classified.retryAfterMs;
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  if (options.remaining !== undefined) result.remaining = options.remaining;
  return result;
}
