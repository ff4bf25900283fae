import { ExportError, type RetryPolicy } from '@metrics/core';
import { withRetry } from '@metrics/core/backend';
import { CONNECT_FAILURES, HttpClient, type HttpFailure, type HttpRequest } from '@metrics/core/http';
import type { ResolvedMlflowSettings } from './settings.js';

/** The HTTP methods of MLflow's REST API (the registry updates with PATCH and deletes with DELETE). */
export type MlflowMethod = HttpRequest['method'];

const MARKER = Symbol.for('metrics.error.MlflowApiError');

/** An MLflow REST error: HTTP status, MLflow `error_code`, and whether a retry may help. */
export class MlflowApiError extends ExportError {
  private readonly [MARKER] = true;
  override readonly name: string = 'MlflowApiError';
  constructor(
    message: string,
    readonly errorCode: string | undefined,
    options: { statusCode?: number; retryAfterMs?: number; cause?: unknown; isRetryable?: boolean },
  ) {
    super(message, options);
  }
  static override isInstance(error: unknown): error is MlflowApiError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** REST 2.0 over core's HTTP client (undici, one keep-alive pool, loaded with the first request). Secrets never appear in errors. */
export class MlflowClient {
  private readonly http: HttpClient;

  constructor(readonly settings: ResolvedMlflowSettings & { trackingUri: string }) {
    const headers: Record<string, string> = {};
    if (settings.token) headers.authorization = `Bearer ${settings.token}`;
    else if (settings.username !== undefined && settings.password !== undefined)
      headers.authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
    this.http = new HttpClient({
      userAgent: '@metrics/mlflow',
      timeoutMs: settings.requestTimeoutMs,
      verifyTls: !settings.insecureTls,
      headers,
      secrets: [settings.token, settings.password],
      retry: MLFLOW_PROTOCOL_RETRY,
      toError: (failure) => mlflowError(failure, settings.trackingUri),
    });
  }

  /** One request, no retry. JSON in, JSON out; non-2xx → MlflowApiError. */
  async call<T = Record<string, unknown>>(method: MlflowMethod, path: string, body?: unknown, rawBody?: Uint8Array): Promise<T> {
    const res = await this.http.once(this.request(method, path, body, rawBody));
    return (res.text ? JSON.parse(res.text) : {}) as T;
  }

  /** `call` with retries (for protocol steps outside the pipeline: create run, end run, upload). */
  async callWithRetry<T = Record<string, unknown>>(method: MlflowMethod, path: string, body?: unknown, policy?: Partial<RetryPolicy>): Promise<T> {
    const res = await this.http.request(this.request(method, path, body), { policy });
    return (res.text ? JSON.parse(res.text) : {}) as T;
  }

  /**
   * A request that must not take effect twice (it creates something), retried like `callWithRetry`. An attempt
   * whose answer was lost (a reset after the server did the work) is not simply sent again: before each retry
   * `lookup` asks the server for what such an attempt made, and that is returned if found.
   */
  async callOnce<T>(method: MlflowMethod, path: string, body: unknown, lookup: () => Promise<T | undefined>): Promise<T> {
    return withRetry(
      async (attempt) => {
        if (attempt > 1) {
          const made = await lookup();
          if (made !== undefined) return made;
        }
        return this.call<T>(method, path, body);
      },
      { policy: MLFLOW_PROTOCOL_RETRY },
    );
  }

  private request(method: MlflowMethod, path: string, body: unknown, rawBody?: Uint8Array): HttpRequest {
    return {
      method,
      url: `${this.settings.trackingUri}${path}`,
      what: `${method} ${path}`,
      headers: rawBody ? { 'content-type': 'application/octet-stream' } : undefined,
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    };
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** Protocol steps retry like the Python client: a few attempts, minutes at most. */
const MLFLOW_PROTOCOL_RETRY: Partial<RetryPolicy> = { maxAttempts: 8, maxDelayMs: 120_000, deadlineMs: 5 * 60_000 };

/** MLflow's error: its `error_code` and message from the JSON body, or what to check when the server is unreachable. */
function mlflowError(failure: HttpFailure, trackingUri: string): MlflowApiError {
  const what = failure.request.what;
  if (failure.kind === 'network') {
    const text = `${what}: ${failure.message}`;
    return new MlflowApiError(CONNECT_FAILURES.has(failure.code) ? unreachableMessage(trackingUri, text) : text, failure.code, { isRetryable: true });
  }
  let errorCode: string | undefined;
  let message = failure.text.slice(0, 300);
  try {
    const parsed = JSON.parse(failure.text) as { error_code?: string; message?: string };
    errorCode = parsed.error_code;
    message = parsed.message ?? message;
  } catch {
    // HTML or plain-text error page (routing errors, proxies)
  }
  return new MlflowApiError(`${what} → HTTP ${failure.status}${errorCode ? ` ${errorCode}` : ''}: ${message}`, errorCode, {
    statusCode: failure.status,
    retryAfterMs: failure.retryAfterMs,
    isRetryable: failure.retryable || serverOverloaded(message),
  });
}

/**
 * MLflow answers 400 BAD_REQUEST when its database connection pool is exhausted (SQLAlchemy "QueuePool limit …
 * reached, connection timed out", error page 3o7r): the server is overloaded (many clients, a restart's
 * burst of retries), the request itself is fine, so it is retried like a 503.
 */
function serverOverloaded(message: string): boolean {
  return /QueuePool limit of size \d+ overflow \d+ reached|sqlalche\.me\/e\/\d+\/3o7r/.test(message);
}

/** What to check when no connection could be made; names host:port. */
function unreachableMessage(trackingUri: string, what: string): string {
  let where = trackingUri;
  try {
    const url = new URL(trackingUri);
    where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    // keep the URI as given
  }
  return (
    `cannot reach the MLflow server at ${where} (${what}): is \`mlflow server\` running and listening there? ` +
    `Check the tracking URI (trackingUri / MLFLOW_TRACKING_URI) and any proxy or firewall between here and the server.`
  );
}
