import { InvalidCallError } from '@metrics/core';
import { MlflowApiError } from '../client.js';

const MARKER = Symbol.for('metrics.error.MlflowRegistryError');

/** A model-registry call the server refused, with what to do about it in the message. Never retried. */
export class MlflowRegistryError extends MlflowApiError {
  private readonly [MARKER] = true;
  override readonly name = 'MlflowRegistryError';
  static override isInstance(error: unknown): error is MlflowRegistryError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** What the call was about, to name the fix. */
export interface RegistryCallContext {
  name?: string;
  version?: string;
  alias?: string;
  filter?: string;
}

/**
 * The server's refusal as an `MlflowRegistryError` naming the fix; other failures (network, 5xx, a
 * retry deadline) pass through unchanged.
 */
export function registryError(error: unknown, what: string, at: RegistryCallContext): unknown {
  if (!MlflowApiError.isInstance(error) || error.isRetryable) return error;
  const said = serverMessage(error);
  const fix = fixFor(error.errorCode, said, at);
  if (fix === undefined) return error;
  return new MlflowRegistryError(`MLflow registry: ${what}: ${said} — ${fix}`, error.errorCode, {
    statusCode: error.statusCode,
    cause: error,
    isRetryable: false,
  });
}

function serverMessage(error: MlflowApiError): string {
  // `GET /path → HTTP 404 RESOURCE_DOES_NOT_EXIST: <message>`: the server's own words.
  const m = /→ HTTP \d+(?: [A-Z_]+)?: ([\s\S]*)$/.exec(error.message);
  return (m?.[1] ?? error.message).trim();
}

function fixFor(code: string | undefined, said: string, at: RegistryCallContext): string | undefined {
  const model = at.name !== undefined ? `"${at.name}"` : 'the model';
  // Most specific first: "Registered model alias x not found" also names a registered model.
  if (/alias .*not found/i.test(said)) {
    const call = `registry.setAlias(${JSON.stringify(at.name ?? 'name')}, ${JSON.stringify(at.alias ?? 'alias')}, version)`;
    return `model ${model} has no alias "${at.alias ?? ''}": set it first with ${call}`;
  }
  if (/model version .*not found/i.test(said))
    return (
      `model ${model} has no version ${at.version ?? ''}`.trimEnd() +
      `: register it first (registry.registerModel) or pick an existing one (registry.searchModelVersions("name='${at.name ?? 'x'}'"))`
    );
  if (/registered model .*not found/i.test(said))
    return `there is no registered model ${model}: register a version first (registry.registerModel) or check the name (registry.searchRegisteredModels())`;
  if (/filter|invalid clause|parse/i.test(said) && at.filter !== undefined)
    return (
      `fix the filter ${JSON.stringify(at.filter)}: MLflow's search syntax is e.g. "name = 'iris' and tags.stage = 'prod'" ` +
      '(string values in single quotes)'
    );
  if (code === 'RESOURCE_ALREADY_EXISTS') return `${model} already exists: use it, or choose another name`;
  if (code === 'PERMISSION_DENIED' || code === 'UNAUTHENTICATED')
    return 'the registry needs write access: check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD';
  if (code === 'INVALID_PARAMETER_VALUE' || code === 'RESOURCE_DOES_NOT_EXIST') return 'check the arguments of the call';
  return undefined;
}

/** Bad arguments fail at once, before any request (the server's message would be less clear). */
export function checkName(method: string, name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 256)
    throw new InvalidCallError(method, `the model name must be a non-empty string of at most 256 characters (got ${shown(name)})`);
  return name;
}

export function checkVersion(method: string, version: unknown): string {
  const text = typeof version === 'number' ? String(version) : version;
  if (typeof text !== 'string' || !/^[1-9][0-9]*$/.test(text))
    throw new InvalidCallError(method, `a model version is a positive integer, as a number or string, e.g. 3 or "3" (got ${shown(version)})`);
  return text;
}

/** MLflow reserves `latest` and `v<digits>` (they name versions); an alias is letters, digits, `_` and `-`. */
export function checkAlias(method: string, alias: unknown): string {
  if (typeof alias !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(alias))
    throw new InvalidCallError(method, `an alias is 1–255 letters, digits, "_" or "-", e.g. "champion" (got ${shown(alias)})`);
  if (/^latest$/i.test(alias) || /^v\d+$/i.test(alias))
    throw new InvalidCallError(method, `the alias "${alias}" is reserved by MLflow (latest, v<number> name versions); choose another, e.g. "champion"`);
  return alias;
}

export function checkTag(method: string, key: unknown, value?: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 250)
    throw new InvalidCallError(method, `a tag key must be a non-empty string of at most 250 characters (got ${shown(key)})`);
  if (value !== undefined && (typeof value !== 'string' || value.length > 5000))
    throw new InvalidCallError(method, `tag "${key}" must have a string value of at most 5000 characters (got ${shown(value)})`);
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
