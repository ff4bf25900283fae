import type { Dispatcher } from 'undici';
import { ExportError, isRetryableStatus, parseRetryAfter, redact, withRetry, type RetryPolicy } from '@metrics/core';
import type { ResolvedMlflowSettings } from './settings.js';

const MARKER = Symbol.for('metrics.error.MlflowApiError');

/** An MLflow REST error: HTTP status, MLflow `error_code`, and whether a retry may help. */
export class MlflowApiError extends ExportError {
  private readonly [MARKER] = true;
  override readonly name = 'MlflowApiError';
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

/** undici is loaded with the first request, not with the package: a tracker is ready before it is (tens of ms). */
let undici: Promise<typeof import('undici')> | undefined;
const loadUndici = () => (undici ??= import('undici'));

/** REST 2.0 over one keep-alive connection pool. Secrets never appear in errors. */
export class MlflowClient {
  private dispatcher: Promise<Dispatcher> | undefined;
  private readonly headers: Record<string, string>;
  private readonly secrets: string[];

  constructor(readonly settings: ResolvedMlflowSettings & { trackingUri: string }) {
    this.headers = { 'content-type': 'application/json', 'user-agent': '@metrics/mlflow' };
    if (settings.token) this.headers.authorization = `Bearer ${settings.token}`;
    else if (settings.username !== undefined && settings.password !== undefined)
      this.headers.authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
    this.secrets = [settings.token, settings.password, this.headers.authorization].filter((s): s is string => !!s);
  }

  private pool(): Promise<Dispatcher> {
    const { requestTimeoutMs, insecureTls } = this.settings;
    return (this.dispatcher ??= loadUndici().then(
      ({ Agent }) =>
        new Agent({
          keepAliveTimeout: 30_000,
          connections: 8,
          headersTimeout: requestTimeoutMs,
          bodyTimeout: requestTimeoutMs,
          connect: { rejectUnauthorized: !insecureTls, timeout: Math.min(10_000, requestTimeoutMs) },
        }),
    ));
  }

  /** One request, no retry. JSON in, JSON out; non-2xx → MlflowApiError. */
  async call<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, rawBody?: Uint8Array): Promise<T> {
    const url = `${this.settings.trackingUri}${path}`;
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      const [{ request }, dispatcher] = await Promise.all([loadUndici(), this.pool()]);
      res = await request(url, {
        method,
        dispatcher,
        headers: rawBody ? { ...this.headers, 'content-type': 'application/octet-stream' } : this.headers,
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      // Inside the try: a server killed while sending its answer cuts the body, which is as unanswered as a reset.
      text = await res.body.text();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      // No HTTP answer at all (refused, reset, timed out): always worth another try, like the Python client.
      const what = `${method} ${path}: ${code || (error as Error).message}`;
      throw new MlflowApiError(this.clean(CONNECT_FAILURES.has(code) ? unreachableMessage(this.settings.trackingUri, what) : what), code, {
        isRetryable: true,
      });
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return (text ? JSON.parse(text) : {}) as T;
    let errorCode: string | undefined;
    let message = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text) as { error_code?: string; message?: string };
      errorCode = parsed.error_code;
      message = parsed.message ?? message;
    } catch {
      // HTML or plain-text error page (routing errors, proxies)
    }
    throw new MlflowApiError(this.clean(`${method} ${path} → HTTP ${res.statusCode}${errorCode ? ` ${errorCode}` : ''}: ${message}`), errorCode, {
      statusCode: res.statusCode,
      retryAfterMs: parseRetryAfter(res.headers['retry-after'] as string | undefined),
      isRetryable: isRetryableStatus(res.statusCode) || serverOverloaded(message),
    });
  }

  /** `call` with the one retry policy (for protocol steps outside the pipeline: create run, end run, upload). */
  callWithRetry<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, policy?: Partial<RetryPolicy>): Promise<T> {
    return withRetry(() => this.call<T>(method, path, body), { policy: { maxAttempts: 8, maxDelayMs: 120_000, deadlineMs: 5 * 60_000, ...policy } });
  }

  private clean(text: string): string {
    return redact(text, this.secrets);
  }

  async close(): Promise<void> {
    // A client that never sent a request has no pool to close (and never loaded undici).
    if (this.dispatcher) await (await this.dispatcher).close();
  }
}

/**
 * MLflow answers 400 BAD_REQUEST when its database connection pool is exhausted (SQLAlchemy "QueuePool limit …
 * reached, connection timed out", error page 3o7r): the server is overloaded (many clients, a restart's
 * burst of retries), the request itself is fine, so it is retried like a 503.
 */
function serverOverloaded(message: string): boolean {
  return /QueuePool limit of size \d+ overflow \d+ reached|sqlalche\.me\/e\/\d+\/3o7r/.test(message);
}

/** Error codes meaning no connection could be made at all (as opposed to a slow or dropped answer). */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'UND_ERR_CONNECT_TIMEOUT']);

/** What to check when no connection could be made; names host:port. */
function unreachableMessage(trackingUri: string, what: string): string {
  let where = trackingUri;
  try {
    const url = new URL(trackingUri);
    where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    // keep the URI as given
  }
  return `cannot reach the MLflow server at ${where} (${what}): is \`mlflow server\` running and listening there? Check the tracking URI (trackingUri / MLFLOW_TRACKING_URI) and any proxy or firewall between here and the server.`;
}
