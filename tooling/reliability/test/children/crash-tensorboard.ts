/**
 * Child for the SIGKILL test: writes scalars with the TensorBoard tracker (short flush interval) until it
 * is killed. argv: <runDir>. Prints READY once the first 100 steps are on disk.
 * Values: training/loss = 1 / (step + 1), training/accuracy = step / 1e6.
 */
import { createLogger } from '@metrics/core';
import { createTensorBoardTracker } from '@metrics/tensorboard';

const [runDir] = process.argv.slice(2) as [string];
const tracker = createTensorBoardTracker({
  runDir,
  flushIntervalMs: 50,
  maxQueue: 1,
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
