/**
 * Child for the crash test: the unified facade with TensorBoard, MLflow (a real server) and W&B offline
 * logs 500 points, then crashes 20 ms later, the way a training script does when a bug throws.
 * argv: <mlflowUri> <dir> <runName> <how>, how one of:
 *   throw        an uncaught exception (thrown in a timer)
 *   reject       an unhandled rejection
 *   late         an uncaught exception after the runs exist (250 points flushed, 250 more logged)
 *   user-handler the program has its own uncaughtException listener that keeps it alive; it prints
 *                `STILL ALIVE` later and ends on its own (exit code 0)
 * Nothing here closes or flushes the tracker: the crash handling must.
 */
import { createExperimentTracker } from '@metrics/unified';

const [mlflowUri, dir, runName, how] = process.argv.slice(2) as [string, string, string, string];
const tracker = await createExperimentTracker({
  experimentLoggingInterval: 1, // every point logged is counted in the backends
  experiment: 'reliability-crash-uncaught',
  runName,
  tensorboardLogging: true,
  tensorboardLogDir: `${dir}/runs`,
  tensorboardFlushSecs: 3600, // nothing reaches the event file unless the crash handling flushes it
  mlflowLogging: true,
  mlflowTrackingUri: mlflowUri,
  mlflowSpoolDir: `${dir}/spool`,
  wandbLogging: true,
  wandbMode: 'offline',
  wandbDir: dir,
  profiling: false,
  env: {},
});
if (how === 'user-handler') {
  process.on('uncaughtException', (error) => {
    process.stdout.write(`USER HANDLER ${error.message}\n`);
    // Life goes on; the process ends by itself once nothing is left to do (exit code 0).
    setTimeout(() => process.stdout.write('STILL ALIVE\n'), 1500);
  });
}
for (let step = 0; step < 500; step++) {
  tracker.log({ 'training/loss': 1 / (step + 1) }, { step });
  // A later crash: the MLflow run is created and RUNNING by then.
  if (how === 'late' && step === 249) await tracker.flush();
}
process.stdout.write('LOGGED 500\n');
setTimeout(() => {
  process.stdout.write(`CRASH AT ${Date.now()}\n`);
  if (how === 'reject') void Promise.reject(new Error(`rejected-after-500 (${how})`));
  else throw new Error(`crashed-after-500 (${how})`);
}, 20);
