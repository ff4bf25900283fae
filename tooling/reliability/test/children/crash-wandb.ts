/**
 * Child for the SIGKILL test: writes history rows to a W&B offline run until it is killed.
 * argv: <dir> <runId>. Prints READY once the first 100 rows are on disk.
 * Values: training/loss = 1 / (step + 1), training/accuracy = step / 1e6.
 */
import { createLogger } from '@metrics/core';
import { createWandbTracker } from '@metrics/wandb';

const [dir, runId] = process.argv.slice(2) as [string, string];
const tracker = createWandbTracker({
  mode: 'offline',
  dir,
  runId,
  env: {},
  experiment: 'reliability-crash',
  runName: runId,
  batch: { scheduledDelayMs: 10, maxBatchSize: 200 },
  handleExit: false,
  logger: createLogger({ level: 'silent' }),
});
let step = 0;
const logSome = (n: number) => {
  for (const end = step + n; step < end; step++) tracker.log({ 'training/loss': 1 / (step + 1), 'training/accuracy': step / 1e6 }, { step });
};
logSome(100);
await tracker.flush();
process.stdout.write('READY\n');
setInterval(() => logSome(20), 2); // training goes on until SIGKILL
