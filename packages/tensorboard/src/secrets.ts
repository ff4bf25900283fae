import { redact } from '@metrics/core';

/** Config keys whose values never go into an event file. */
const SECRET_KEY = /(api[_-]?key|token|secret|password|passwd|credential|authorization|auth[_-]?header|private[_-]?key)/i;
/** Environment variables holding credentials of the other backends; their values are masked wherever they appear. */
const SECRET_ENV = ['WANDB_API_KEY', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_PASSWORD', 'HF_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DATABRICKS_TOKEN'];

/** A deep copy of `value` with secret-looking keys masked and known credential values redacted. */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactKnown(value) as T;
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) ? '***' : scrubSecrets(v, depth + 1);
  return out as T;
}

export function redactKnown(text: string): string {
  return redact(text, SECRET_ENV.map((k) => process.env[k]));
}
