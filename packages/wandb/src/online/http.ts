import type { ExportError, RetryPolicy } from '@metrics/core';
import { HttpClient, retryUnless } from '@metrics/core/http';

/** Statuses W&B's own client never retries (spec §5.4); every other error status, 429 and network errors are. */
export const WANDB_NEVER_RETRY: ReadonlySet<number> = new Set([400, 401, 403, 404, 409, 410, 413, 422, 501]);

export interface WandbHttpOptions {
  apiKey: string;
  retry: Partial<RetryPolicy>;
  timeoutMs: number;
  /** Called before each retry (for logs and counters). */
  onRetry?: (what: string, error: ExportError, attempt: number, delayMs: number) => void;
}

/**
 * Core's HTTP client set up as a W&B server expects: Basic auth with `api:<key>` (masked in every error),
 * `User-Agent: wandb-core`, W&B's never-retry statuses and its retry policy.
 */
export function createWandbHttp(options: WandbHttpOptions): HttpClient {
  return new HttpClient({
    userAgent: 'wandb-core',
    timeoutMs: options.timeoutMs,
    headers: { authorization: `Basic ${Buffer.from(`api:${options.apiKey}`).toString('base64')}` },
    secrets: [options.apiKey],
    retryStatus: retryUnless(WANDB_NEVER_RETRY),
    retry: options.retry,
    onRetry: options.onRetry,
  });
}
