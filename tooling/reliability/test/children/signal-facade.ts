/**
 * Child for the SIGINT/SIGTERM test: the unified facade with TensorBoard, MLflow (a real server) and W&B
 * offline, logging until a signal arrives; the facade's exit handling closes the runs as killed.
 * argv: <mlflowUri> <dir> <runName>. Prints `IDS {json}` once running, then `LOGGED <step>` after each
 * burst (written synchronously: a step printed before the signal was sent was logged before it).
 */
import { createExperimentTracker } from '@metrics/unified';

const [mlflowUri, dir, runName] = process.argv.slice(2) as [string, string, string];
const tracker = await createExperimentTracker({
  experimentLoggingInterval: 1, // every step logged before the signal is checked in the files
  experiment: 'reliability-signals',
  runName,
  tensorboardLogging: true,
  tensorboardLogDir: `${dir}/runs`,
  tensorboardFlushSecs: 3600, // nothing reaches the event file unless close() flushes it
  mlflowLogging: true,
  mlflowTrackingUri: mlflowUri,
  mlflowSpoolDir: `${dir}/spool`,
  wandbLogging: true,
  wandbMode: 'offline',
  wandbDir: dir,
  profiling: false,
  logLevel: 'warn',
  env: {},
});
let step = 0;
const burst = (n: number) => {
  for (const end = step + n; step < end; step++) tracker.log({ 'training/loss': 1 / (step + 1) }, { step });
  process.stdout.write(`LOGGED ${step - 1}\n`);
};
burst(200);
await tracker.flush();
const ids = tracker.runHandle().runIds;
const wandb = tracker.backend('wandb')!.native() as { runDir: string };
process.stdout.write(`IDS ${JSON.stringify({ mlflowRunId: ids.mlflow!.runId, tbLogDir: ids.tensorboard!.logDir, wandbRunDir: wandb.runDir })}\n`);
setInterval(() => burst(10), 5); // training goes on until the signal
