import type { Dispatcher } from 'undici';
import { ExportError, isRetryableStatus } from '../errors.js';
import { redact } from '../logger.js';
import { parseRetryAfter, withRetry, type RetryPolicy } from '../retry.js';

/**
 * THE HTTP client of @metrics (MLflow REST, W&B GraphQL/file_stream/uploads): undici over one keep-alive
 * pool, per-request timeouts, retries through core's `withRetry` (Retry-After honoured), each backend's own
 * set of statuses never retried, and secrets masked in every error it makes.
 *
 * undici is an optional peer dependency of core, loaded with the first request (not with the package),
 * so creating a tracker stays fast and a program without a remote backend never loads it.
 */
export interface HttpClientOptions {
  /** `User-Agent` of every request. */
  userAgent: string;
  /** Longest wait for the answer's headers, and for its body, ms. */
  timeoutMs: number;
  /** Verify TLS certificates (default true; false only by an explicit per-backend switch). */
  verifyTls?: boolean;
  /** Keep-alive connections per origin (default 8). */
  connections?: number;
  /** Headers of every request (e.g. `authorization`); a request's own headers win. */
  headers?: Readonly<Record<string, string>>;
  /** Secrets masked in every error message (tokens, passwords, the Authorization value). */
  secrets?: readonly (string | undefined)[];
  /** Which statuses are worth another try; default core's `isRetryableStatus` (408, 429, 5xx). */
  retryStatus?: (status: number) => boolean;
  /** Retry policy of `request` (over core's default); `once` never retries. */
  retry?: Partial<RetryPolicy>;
  /** Called before each retry (for logs and counters). */
  onRetry?: (what: string, error: ExportError, attempt: number, delayMs: number) => void;
  /**
   * Turns a failure into the backend's own error (e.g. MLflow's error_code); its text is already
   * scrubbed. Default: an `ExportError` naming `what`, the status and the start of the body.
   */
  toError?: (failure: HttpFailure) => ExportError;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** A string body is sent as JSON unless `headers` says otherwise. */
  body?: string | Uint8Array;
  headers?: Readonly<Record<string, string>>;
  /** What this request is, for error messages and `onRetry` (e.g. `GraphQL UpsertBucket`). */
  what: string;
  /** Leave out the client's default headers (e.g. no credentials to a signed storage URL). */
  bare?: boolean;
  /** Statuses retried for this request although the backend's rule says not (W&B retries 409 on some calls). */
  alsoRetry?: readonly number[];
}

export interface HttpResponse {
  status: number;
  text: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What went wrong, with every text already scrubbed of the client's secrets. */
export type HttpFailure =
  | { kind: 'network'; request: HttpRequest; code: string; message: string; retryable: true }
  | { kind: 'status'; request: HttpRequest; status: number; text: string; retryAfterMs: number | undefined; retryable: boolean };

/** `status >= 400` and not in `never`: W&B's rule (its client retries every error status but a few). */
export function retryUnless(never: ReadonlySet<number>): (status: number) => boolean {
  return (status) => status >= 400 && !never.has(status);
}

/** Error codes meaning no connection could be made at all (as opposed to a slow or dropped answer). */
export const CONNECT_FAILURES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

let undici: Promise<typeof import('undici')> | undefined;
/** undici, loaded once for the process; a missing install is said with the fix. */
function loadUndici(): Promise<typeof import('undici')> {
  undici ??= import('undici').catch((error: unknown) => {
    undici = undefined;
    throw new ExportError(`the HTTP client needs the undici package: npm install undici (${(error as Error).message})`, {
      cause: error,
      isRetryable: false,
    });
  });
  return undici;
}

export class HttpClient {
  private pool: Promise<Dispatcher> | undefined;
  private readonly secrets: readonly (string | undefined)[];
  private readonly retryStatus: (status: number) => boolean;

  constructor(private readonly options: HttpClientOptions) {
    this.secrets = [...(options.secrets ?? []), ...authorizationSecrets(options.headers)];
    this.retryStatus = options.retryStatus ?? isRetryableStatus;
  }

  /** Masks the client's secrets in text. */
  scrub(text: string): string {
    return redact(text, this.secrets);
  }

  private dispatcher(): Promise<Dispatcher> {
    const { timeoutMs, verifyTls = true, connections = 8 } = this.options;
    this.pool ??= loadUndici().then(
      ({ Agent }) =>
        new Agent({
          keepAliveTimeout: 30_000,
          connections,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          connect: { rejectUnauthorized: verifyTls, timeout: Math.min(10_000, timeoutMs) },
        }),
    );
    return this.pool;
  }

  /** One attempt; throws the backend's `ExportError` (retryable or not) on a network error or a non-2xx answer. */
  async once(req: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...(req.bare ? {} : this.options.headers), ...req.headers };
    if (typeof req.body === 'string' && !hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      const [{ request }, dispatcher] = await Promise.all([loadUndici(), this.dispatcher()]);
      res = await request(req.url, { method: req.method, dispatcher, headers, body: req.body });
      // In the try: an answer cut off mid-body (the server killed while replying) is as unanswered as a reset.
      text = await res.body.text();
    } catch (error) {
      if (ExportError.isInstance(error)) throw error; // undici missing
      const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
      const code = e.code ?? e.cause?.code ?? '';
      const message = this.scrub(code || e.cause?.message || e.message || String(error));
      // No HTTP answer at all (refused, reset, timed out): always worth another try.
      throw this.error({ kind: 'network', request: req, code, message, retryable: true });
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, text, headers: res.headers };
    const status = res.statusCode;
    throw this.error({
      kind: 'status',
      request: req,
      status,
      text: this.scrub(text),
      retryAfterMs: parseRetryAfter(res.headers['retry-after']),
      retryable: this.retryStatus(status) || (req.alsoRetry?.includes(status) ?? false),
    });
  }

  /** `once` under the retry policy (the client's, with `policy` over it). */
  request(req: HttpRequest, options: { policy?: Partial<RetryPolicy>; signal?: AbortSignal } = {}): Promise<HttpResponse> {
    return withRetry(() => this.once(req), {
      policy: { ...this.options.retry, ...options.policy },
      signal: options.signal,
      onRetry: (error, attempt, delayMs) => this.options.onRetry?.(req.what, error as ExportError, attempt, delayMs),
    });
  }

  private error(failure: HttpFailure): ExportError {
    if (this.options.toError) return this.options.toError(failure);
    const { what } = failure.request;
    if (failure.kind === 'network') return new ExportError(`${what}: network error (${failure.message})`, { isRetryable: true });
    const body = failure.text ? ` ${failure.text.slice(0, 200).replace(/\s+/g, ' ')}` : '';
    return new ExportError(`${what}: HTTP ${failure.status}${body}`, {
      statusCode: failure.status,
      isRetryable: failure.retryable,
      retryAfterMs: failure.retryAfterMs,
    });
  }

  /** Closes the pool; a client that never sent a request has none (and never loaded undici). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool).close();
  }
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** The Authorization value counts as a secret, whole and its credential part (`Basic <this>`). */
function authorizationSecrets(headers: Readonly<Record<string, string>> | undefined): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === 'authorization') out.push(value, value.slice(value.indexOf(' ') + 1));
  return out;
}
