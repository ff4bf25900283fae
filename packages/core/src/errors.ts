/**
 * Errors carry a marker symbol (`Symbol.for('metrics.error.<Name>')`) so `isInstance` works across
 * duplicated copies of this package in one node_modules tree, where `instanceof` would fail.
 */
const BASE_MARKER = Symbol.for('metrics.error');

export class MetricsError extends Error {
  private readonly [BASE_MARKER] = true;
  override readonly name: string = 'MetricsError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  static isInstance(error: unknown): error is MetricsError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BASE_MARKER] === true;
  }
}

function marker(name: string): symbol {
  return Symbol.for(`metrics.error.${name}`);
}

const INVALID_NAME = marker('InvalidMetricNameError');
/** A metric name broke a naming rule. */
export class InvalidMetricNameError extends MetricsError {
  private readonly [INVALID_NAME] = true;
  override readonly name = 'InvalidMetricNameError';
  constructor(
    readonly metric: string,
    readonly rule: string,
  ) {
    super(`Invalid metric name ${JSON.stringify(metric)}: ${rule}`);
  }
  static override isInstance(error: unknown): error is InvalidMetricNameError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[INVALID_NAME] === true;
  }
}

const INVALID_VALUE = marker('InvalidMetricValueError');
/** A metric value (or step) broke a rule. */
export class InvalidMetricValueError extends MetricsError {
  private readonly [INVALID_VALUE] = true;
  override readonly name = 'InvalidMetricValueError';
  constructor(
    readonly metric: string,
    readonly rule: string,
    readonly value: unknown,
  ) {
    super(`Invalid value for metric ${JSON.stringify(metric)}: ${rule} (got ${describe(value)})`);
  }
  static override isInstance(error: unknown): error is InvalidMetricValueError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[INVALID_VALUE] === true;
  }
}

const INVALID_CONFIG = marker('InvalidConfigError');
/** A configuration object failed validation; `issues` name each field and the fix. */
export class InvalidConfigError extends MetricsError {
  private readonly [INVALID_CONFIG] = true;
  override readonly name = 'InvalidConfigError';
  constructor(
    readonly issues: readonly { path: string; message: string }[],
    context = 'configuration',
  ) {
    super(`Invalid ${context}:\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
  }
  static override isInstance(error: unknown): error is InvalidConfigError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[INVALID_CONFIG] === true;
  }
}

const EXPORT_ERROR = marker('ExportError');
/** A backend could not deliver records. `isRetryable` defaults from the HTTP status when there is one. */
export class ExportError extends MetricsError {
  private readonly [EXPORT_ERROR] = true;
  override readonly name: string = 'ExportError';
  readonly isRetryable: boolean;
  readonly statusCode?: number;
  readonly retryAfterMs?: number;
  /**
   * The backend has nowhere to send by configuration (e.g. no server URL): records going to the spool for a
   * later replay is the plan, not a failure, so it is said once at info, not warned about.
   */
  readonly offline: boolean;
  constructor(message: string, options: { cause?: unknown; statusCode?: number; isRetryable?: boolean; retryAfterMs?: number; offline?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.offline = options.offline ?? false;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
    this.isRetryable = options.isRetryable ?? (options.statusCode === undefined ? true : isRetryableStatus(options.statusCode));
  }
  static override isInstance(error: unknown): error is ExportError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[EXPORT_ERROR] === true;
  }
}

const INVALID_CALL = marker('InvalidCallError');
/**
 * A method was called the wrong way (a programming error, not bad data): a step passed positionally,
 * an unknown option, an option of the wrong type. Thrown at once in every validation mode; the message
 * names the fix.
 */
export class InvalidCallError extends MetricsError {
  private readonly [INVALID_CALL] = true;
  override readonly name = 'InvalidCallError';
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(`${method}: ${message}`);
  }
  static override isInstance(error: unknown): error is InvalidCallError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[INVALID_CALL] === true;
  }
}

/** 408, 429 and 5xx are worth another try (the MLflow and W&B clients agree); other 4xx are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Error → one line, with secrets removed by the caller's redactor. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
