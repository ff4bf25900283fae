import { redact } from './logger.js';

/**
 * Secrets in what users log (configs, hyperparameters, summaries, text) are masked here, once, before a
 * record reaches any exporter: no backend writes an API key a config happened to hold.
 */

/** Words of a key that mark its value as a credential; `api key`, `private key`, `auth header` as pairs. */
const SECRET_WORDS = new Set(['token', 'secret', 'password', 'passwd', 'credential', 'credentials', 'authorization', 'apikey']);
const SECRET_PAIRS = new Set(['api key', 'private key', 'auth header', 'access key', 'secret key']);

/**
 * True for keys such as `apiKey`, `WANDB_API_KEY`, `db_password`, `hfToken`, `client-secret`; false for
 * `max_tokens`, `tokenizer` or `num_keys` (whole words only, so common model settings stay readable).
 */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    if (SECRET_WORDS.has(words[i]!)) return true;
    if (i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${words[i]}`)) return true;
  }
  return false;
}

/** Environment variables holding credentials of the other backends; their values are masked wherever they appear. */
const SECRET_ENV = ['WANDB_API_KEY', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_PASSWORD', 'HF_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DATABRICKS_TOKEN'];

/** Limits of a scrubbed copy: deeper values and values past the node budget become `[truncated]`. */
const MAX_DEPTH = 32;
const MAX_NODES = 10_000;

/**
 * A deep copy of `value` with secret-looking keys masked and known credential values redacted.
 * An object met again below itself becomes `[Circular]`; after {@link MAX_NODES} values (shared
 * sub-objects count each time, so a config referring to itself twice can't blow up) or below
 * {@link MAX_DEPTH} levels the rest is `[truncated]`; a property whose getter throws is `[unreadable]`.
 */
export function scrubSecrets<T>(value: T): T {
  return copy(value, 0, { nodes: MAX_NODES }, new Set()) as T;
}

function copy(value: unknown, depth: number, budget: { nodes: number }, ancestors: Set<object>): unknown {
  budget.nodes--;
  if (typeof value === 'string') return redactKnown(value);
  if (value === null || typeof value !== 'object') return value;
  // Never hand back the original object: its unscrubbed secrets would reach a backend.
  if (budget.nodes < 0 || depth >= MAX_DEPTH) return '[truncated]';
  if (ancestors.has(value)) return '[Circular]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        if (budget.nodes <= 0) {
          out.push('[truncated]');
          break;
        }
        out.push(copy(readIndex(value, i), depth + 1, budget, ancestors));
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      if (budget.nodes <= 0) {
        out['…'] = '[truncated]';
        break;
      }
      if (isSecretKey(k)) {
        budget.nodes--;
        out[k] = '***';
        continue;
      }
      let v: unknown;
      try {
        v = (value as Record<string, unknown>)[k];
      } catch {
        budget.nodes--;
        out[k] = '[unreadable]';
        continue;
      }
      out[k] = copy(v, depth + 1, budget, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

function readIndex(array: readonly unknown[], i: number): unknown {
  try {
    return array[i];
  } catch {
    return '[unreadable]';
  }
}

/** `text` with the values of known credential variables (WANDB_API_KEY, MLFLOW_TRACKING_TOKEN …) masked. */
export function redactKnown(text: string): string {
  return redact(
    text,
    SECRET_ENV.map((k) => process.env[k]),
  );
}

/**
 * A URI without the credentials it can carry (`https://user:password@host/…` → `https://host/…`), or with
 * `mask` in their place (`//***@host`) where the reader should see that some were given.
 */
export function withoutUrlCredentials(uri: string, mask = ''): string {
  // Only the authority right after `scheme://` (or a scheme-less `//`) holds credentials: `file:///a@b` is a path.
  return uri.replace(/^((?:[a-z][a-z0-9+.-]*:)?\/\/)[^/@]*@/i, mask ? `$1${mask}@` : '$1');
}
