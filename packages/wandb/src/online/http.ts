import { ExportError, parseRetryAfter, redact, withRetry, type RetryPolicy } from '@metrics/core';

/** Statuses W&B's own client never retries (spec §5.4); everything else 4xx/5xx, 429 and network errors are. */
const NEVER_RETRY = new Set([400, 401, 403, 404, 409, 410, 413, 422, 501]);

export interface HttpResponse {
  status: number;
  text: string;
}

export interface HttpClientOptions {
  baseUrl: string;
  apiKey: string;
  retry: Partial<RetryPolicy>;
  timeoutMs: number;
  /** Called before each retry (for logs and counters). */
  onRetry?: (what: string, error: ExportError, attempt: number, delayMs: number) => void;
}

/**
 * HTTP to a W&B server: Basic auth with `api:<key>`, JSON bodies, per-request timeout, and retries
 * through core's `withRetry` (Retry-After honoured). The key is masked in every error message.
 */
export class WandbHttp {
  private readonly auth: string;

  constructor(private readonly options: HttpClientOptions) {
    this.auth = 'Basic ' + Buffer.from(`api:${options.apiKey}`).toString('base64');
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** Masks the API key (and its Basic form) in text. */
  scrub(text: string): string {
    return redact(text, [this.options.apiKey, this.auth.slice(6)]);
  }

  /** One attempt; throws ExportError (retryable or not) on network errors and non-2xx answers. */
  async once(
    method: string,
    url: string,
    body: string | Uint8Array | undefined,
    what: string,
    extraHeaders: Record<string, string> = {},
    withAuth = true,
    retryConflict = false,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'User-Agent': 'wandb-core', ...extraHeaders };
    if (withAuth) headers.Authorization = this.auth;
    if (typeof body === 'string') headers['Content-Type'] ??= 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      const cause = error as { message?: string; cause?: { code?: string; message?: string } };
      const detail = cause.cause?.code ?? cause.cause?.message ?? cause.message ?? String(error);
      throw new ExportError(this.scrub(`${what}: network error (${detail})`), { isRetryable: true });
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { status: res.status, text };
    const retryable = retryConflict && res.status === 409 ? true : !NEVER_RETRY.has(res.status) && res.status >= 400;
    throw new ExportError(this.scrub(`${what}: HTTP ${res.status}${text ? ` ${text.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`), {
      statusCode: res.status,
      isRetryable: retryable,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    });
  }

  /** `once` under the retry policy. */
  async request(
    method: string,
    url: string,
    body: string | Uint8Array | undefined,
    what: string,
    opts: { headers?: Record<string, string>; auth?: boolean; retryConflict?: boolean; signal?: AbortSignal } = {},
  ): Promise<HttpResponse> {
    return withRetry(() => this.once(method, url, body, what, opts.headers, opts.auth ?? true, opts.retryConflict ?? false), {
      policy: this.options.retry,
      signal: opts.signal,
      onRetry: (error, attempt, delayMs) => this.options.onRetry?.(what, error as ExportError, attempt, delayMs),
    });
  }
}
