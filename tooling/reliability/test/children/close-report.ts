/**
 * Child for the close-report test: a program using the facade with the default logger (stderr), logging
 * 300 points and closing. argv: <tbDir> <wandbDir> <spoolDir> <mlflowUri or ''>. Directories the test
 * makes unwritable break that backend. Prints `REPORT <json>` (what close() resolved to) on stdout.
 */
import { createExperimentTracker } from '@metrics/unified';

const [tbDir, wandbDir, spoolDir, mlflowUri] = process.argv.slice(2) as [string, string, string, string];
const tracker = await createExperimentTracker({
  experimentLoggingInterval: 1, // every point logged is counted in the backends
  experiment: 'reliability-close-report',
  runName: 'close-report',
  tensorboardLogging: true,
  tensorboardLogDir: tbDir,
  wandbLogging: true,
  wandbMode: 'offline',
  wandbDir,
  mlflowLogging: true,
  ...(mlflowUri ? { mlflowTrackingUri: mlflowUri } : {}),
  mlflowSpoolDir: spoolDir,
  profiling: false,
  closeTimeoutMs: 5_000,
  env: {},
});
for (let step = 0; step < 300; step++) tracker.log({ 'training/loss': 1 / (step + 1) }, { step });
const report = await tracker.close();
process.stdout.write(`REPORT ${JSON.stringify(report)}\n`);
