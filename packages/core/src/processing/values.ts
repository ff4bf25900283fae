import { InvalidMetricValueError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { NonFinitePolicy, ValidationPolicy } from '../validation.js';
import type { SkipReason } from './stats.js';

/**
 * Processor 3: the value. A number that is finite passes; NaN/±Infinity pass with `nonFinite: 'keep'`
 * and are skipped otherwise (warning once per metric name); anything else is not a scalar. Strict mode
 * throws InvalidMetricValueError instead of skipping. Returns undefined to log, or the skip reason.
 */
export function checkScalarValue(name: string, value: unknown, policy: ValidationPolicy, nonFinite: NonFinitePolicy, logger: Logger): SkipReason | undefined {
  if (typeof value === 'number') {
    if (nonFinite === 'keep' || value - value === 0) return undefined;
    const rule = `${String(value)} is not finite; non-finite values are skipped (nonFinite: 'keep' logs them)`;
    if (policy === 'strict') throw new InvalidMetricValueError(name, rule, value);
    logger.warnOnce(
      `nonfinite:${name}`,
      `Skipping ${String(value)} for "${name}": non-finite values are skipped (set nonFinite: 'keep' to log them); ` +
        `later ones are only counted in stats().skippedBy.nonFinite.`,
    );
    return 'nonFinite';
  }
  const rule =
    typeof value === 'bigint'
      ? 'a scalar must be a number; convert bigint with Number()'
      : typeof value === 'boolean'
        ? 'a scalar must be a number; log booleans as 0/1'
        : 'a scalar must be a number; use logText for strings';
  if (policy === 'strict') throw new InvalidMetricValueError(name, rule, value);
  logger.warnOnce(`value:${name}:${rule}`, `Skipping value of "${name}": ${rule}.`);
  return 'invalidValue';
}
