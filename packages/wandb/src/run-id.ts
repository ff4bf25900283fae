import type { RunInfo } from '@metrics/core/backend';
import { randomRunId, safeRunId } from './paths.js';

/** The run's id: the resumed one, else the configured one (`WANDB_RUN_ID` / `runId`), else a new random id. */
export function chooseRunId(info: RunInfo, configured: string | undefined): string {
  return safeRunId(info.resume?.runId ?? configured ?? randomRunId());
}
