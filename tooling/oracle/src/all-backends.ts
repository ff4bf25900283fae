import { join } from 'node:path';

/**
 * The facade's flat options for TensorBoard + MLflow + W&B offline, all under `dir` (event files in `runs/`,
 * the MLflow spool in `spool/`, the W&B run in `wandb/`), MLflow sending to `trackingUri`: the set-up every
 * all-backends oracle test and benchmark reads back.
 */
export function allBackendsOptions(dir: string, trackingUri: string) {
  return {
    tensorboardLogging: true,
    tensorboardLogDir: join(dir, 'runs'),
    mlflowLogging: true,
    mlflowTrackingUri: trackingUri,
    mlflowSpoolDir: join(dir, 'spool'),
    wandbLogging: true,
    wandbMode: 'offline',
    wandbDir: dir,
  } as const;
}
