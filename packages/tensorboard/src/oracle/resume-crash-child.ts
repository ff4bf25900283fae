/**
 * Child process for the resume test, written as a user would: logs steps 0..100, saves the run handle with
 * its step-60 checkpoint, flushes, prints the handle and waits to be killed (a crash: no close).
 */
import type { RunHandle } from '@metrics/core';
import { createTensorBoardTracker } from '../tracker.js';

const tracker = createTensorBoardTracker({ logDir: process.argv[2]!, experiment: 'mnist', runName: 'mlp', handleExit: false, logLevel: 'silent' });
let checkpoint: RunHandle | undefined;
for (let step = 0; step <= 100; step++) {
  if (step === 60) checkpoint = tracker.runHandle(); // saved with the model checkpoint of step 60
  // validation/loss only at 50 and 90: after the resume it is not logged again before step 90
  tracker.log({ 'training/loss': step, ...(step === 50 || step === 90 ? { 'validation/loss': step } : {}) }, { step });
  if (step === 50 || step === 90) tracker.logText('evaluation/report', `attempt 1, step ${step}`, { step }); // text: a tensor in TensorBoard
}
await tracker.flush();
process.stdout.write(`READY ${JSON.stringify(checkpoint)}\n`);
setInterval(() => undefined, 1000);
