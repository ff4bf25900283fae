import type { z } from 'zod';
import { InvalidConfigError, InvalidMetricNameError, InvalidMetricValueError } from './errors.js';
import { checkMetricName, DEFAULT_NAME_RULES, normalizeMetricName, toCustomMetricName, type NameRules } from './conventions/names.js';
import type { Logger } from './logger.js';

export type ValidationPolicy = 'strict' | 'warn' | 'normalize';
export type NonFinitePolicy = 'keep' | 'skip';

export const MAX_STEP = Number.MAX_SAFE_INTEGER;

/** Turns a zod failure into an InvalidConfigError naming each field. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  context = 'configuration',
  /** Adds to an issue's message, e.g. which environment variable the bad value came from. */
  noteFor?: (path: readonly PropertyKey[]) => string | undefined,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidConfigError(
    result.error.issues.map((issue) => {
      const note = noteFor?.(issue.path);
      return { path: issue.path.map(String).join('.'), message: note ? `${issue.message} (${note})` : issue.message };
    }),
    context,
  );
}

export interface NameResolver {
  /** The name to log under, or undefined to skip it (warn mode). Throws in strict mode. */
  resolve(name: string): string | undefined;
}

type Resolution = { name: string } | { rule: string };

/**
 * Validates names once each: the result (accepted, rewritten or rejected) is memoised, so the hot path
 * costs one Map lookup per scalar. `rewrite` (legacy names, prefix aliases) runs before the grammar check.
 * An invalid name: 'strict' throws; 'normalize' takes the nearest valid name; 'warn' keeps it under
 * `custom/<sanitized name>` (warning once), and skips it only when nothing valid can be made.
 */
export function createNameResolver(options: {
  policy: ValidationPolicy;
  rules?: NameRules;
  logger: Logger;
  /** Applied before the grammar check (e.g. legacy-name migration). */
  rewrite?: (name: string) => string;
  onSkip?: () => void;
  /** Bound on memoised names, so a program that makes unbounded names cannot grow memory forever. */
  maxMemo?: number;
}): NameResolver {
  const rules = options.rules ?? DEFAULT_NAME_RULES;
  const memo = new Map<string, Resolution>();
  const maxMemo = options.maxMemo ?? 100_000;

  const compute = (raw: string): Resolution => {
    const name = options.rewrite ? options.rewrite(raw) : raw;
    const rule = checkMetricName(name, rules);
    if (rule === undefined) return { name };
    if (options.policy === 'normalize') {
      const fixed = normalizeMetricName(name, rules);
      if (fixed !== undefined) {
        options.logger.warnOnce(`normalize:${raw}`, `Metric "${raw}" renamed to "${fixed}" (${rule}).`);
        return { name: fixed };
      }
    }
    if (options.policy === 'warn') {
      const parked = toCustomMetricName(name, rules);
      if (parked !== undefined) {
        options.logger.warnOnce(
          `custom:${raw}`,
          `Metric ${JSON.stringify(raw)} is not a valid name (${rule}); it is logged as "${parked}". Rename it at the call site (validation: ` +
            `'strict' makes this an error).`,
        );
        return { name: parked };
      }
    }
    return { rule };
  };

  return {
    resolve(raw) {
      let r = memo.get(raw);
      if (r === undefined) {
        r = compute(typeof raw === 'string' ? raw : String(raw));
        if (memo.size >= maxMemo) memo.clear();
        memo.set(raw, r);
      }
      if ('name' in r) return r.name;
      if (options.policy === 'strict') throw new InvalidMetricNameError(raw, r.rule);
      options.logger.warnOnce(`name:${raw}`, `Skipping metric ${JSON.stringify(raw)}: ${r.rule}.`);
      options.onSkip?.();
      return undefined;
    },
  };
}

/**
 * Checks one value. Returns true to log it; false to skip (warn mode, counted by the caller);
 * throws InvalidMetricValueError in strict mode.
 */
export function checkValue(name: string, value: unknown, policy: ValidationPolicy, nonFinite: NonFinitePolicy, logger: Logger): value is number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) || nonFinite === 'keep') return true;
    return reject(name, 'non-finite values are configured to be skipped (nonFinite: "skip")', value, policy, logger);
  }
  if (typeof value === 'bigint') return reject(name, 'a scalar must be a number; convert bigint with Number()', value, policy, logger);
  if (typeof value === 'boolean') return reject(name, 'a scalar must be a number; log booleans as 0/1', value, policy, logger);
  return reject(name, 'a scalar must be a number; use logText for strings', value, policy, logger);
}

function reject(name: string, rule: string, value: unknown, policy: ValidationPolicy, logger: Logger): false {
  if (policy === 'strict') throw new InvalidMetricValueError(name, rule, value);
  logger.warnOnce(`value:${name}:${rule}`, `Skipping value of "${name}": ${rule}.`);
  return false;
}

/** A step must be an integer in 0 … 2^53−1. Returns the step, or undefined to skip. */
export function checkStep(step: unknown, policy: ValidationPolicy, logger: Logger, metric = '(step)'): number | undefined {
  if (typeof step === 'number' && Number.isInteger(step) && step >= 0 && step <= MAX_STEP) return step;
  const rule = 'a step must be an integer in 0 … 2^53−1';
  if (policy === 'strict') throw new InvalidMetricValueError(metric, rule, step);
  if (policy === 'normalize' && typeof step === 'number' && Number.isFinite(step)) {
    const fixed = Math.min(MAX_STEP, Math.max(0, Math.floor(step)));
    logger.warnOnce(`step:${step}`, `Step ${step} is not valid; using ${fixed}.`);
    return fixed;
  }
  logger.warnOnce(`step:${String(step)}`, `Skipping a log call: ${rule} (got ${String(step)}).`);
  return undefined;
}
