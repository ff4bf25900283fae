/**
 * Child for the SIGKILL test: logs with the MLflow tracker while no server can take the points, so they
 * go to the spool, until it is killed. argv: <spillDir> <runName> <none|unreachable> [unreachableUri].
 * Prints READY once points are spooled. Values: training/loss = 1 / (step + 1), training/accuracy = step / 1e6.
 */
import { createLogger } from '@metrics/core';
import { createMlflowTracker } from '@metrics/mlflow';

const [spillDir, runName, mode, uri] = process.argv.slice(2) as [string, string, string, string | undefined];
const tracker = createMlflowTracker({
  // 'none': no tracking URI at all (everything is spooled for replay); 'unreachable': a server that is down.
  trackingUri: mode === 'unreachable' ? uri : undefined,
  experiment: 'reliability-spool',
  runName,
  spillDir,
  env: {},
  batch: { scheduledDelayMs: 10, maxBatchSize: 100, maxQueueSize: 500 },
  retry: { initialDelayMs: 20, maxDelayMs: 200 },
  handleExit: false,
  logger: createLogger({ level: 'silent' }),
});
let step = 0;
const logSome = (n: number) => {
  for (const end = step + n; step < end; step++) tracker.log({ 'training/loss': 1 / (step + 1), 'training/accuracy': step / 1e6 }, { step });
};
logSome(600);
while (tracker.stats().exporters[0]!.spilled === 0) await new Promise((r) => setTimeout(r, 10));
process.stdout.write('READY\n');
setInterval(() => logSome(20), 2); // training goes on until SIGKILL
