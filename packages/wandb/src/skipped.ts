import { ExportError, type Logger } from '@metrics/core';
import { errorMessage, failure, type ExportResult } from '@metrics/core/backend';
import type { SkippedRecord } from './run-state.js';

/**
 * The result of a batch some of whose records could not be encoded: each is warned about once (metric
 * and reason), and the pipeline gets them as `remaining` of a non-retryable failure, so it counts them
 * as failed and the rest of the batch (already written) as exported. Undefined when nothing was skipped.
 */
export function skippedResult(skipped: readonly SkippedRecord[], batchSize: number, logger: Logger): ExportResult | undefined {
  if (skipped.length === 0) return undefined;
  for (const { record, error } of skipped) {
    const name = 'name' in record && typeof record.name === 'string' ? record.name : record.kind;
    logger.warnOnce(`wandb-bad-record:${record.kind}:${name}`, `W&B: ${record.kind} "${name}" could not be written (${errorMessage(error)}); skipped.`);
  }
  const first = skipped[0]!.error;
  const error = new ExportError(`W&B: ${skipped.length} of ${batchSize} records could not be written (first: ${errorMessage(first)})`, {
    cause: first,
    isRetryable: false,
  });
  return failure(error, { remaining: skipped.map((s) => s.record) });
}
