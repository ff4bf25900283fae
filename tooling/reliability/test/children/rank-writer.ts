/**
 * Child for the ranks test: one rank of a job logging through the facade with `rankGating: 'all'` to MLflow,
 * TensorBoard and W&B (offline). Logs `training/loss` = rank * 1e6 + step for its steps, then:
 * - mode `full`: logs steps [0, steps), closes, prints one JSON line with its run handle;
 * - mode `die`: logs steps [0, from), flushes, saves its run handle to <handleFile>, and SIGKILLs itself;
 * - mode `resume`: resumes from <handleFile>, logs steps [from, steps), closes, prints its run handle.
 * argv: <mlflowUrl> <dir> <rank> <steps> <mode> <from> <handleFile>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createExperimentTracker } from '@metrics/unified';

const [url, dir, rankArg, stepsArg, mode, fromArg, handleFile] = process.argv.slice(2) as [string, string, string, string, string, string, string];
const rank = Number(rankArg);
const steps = Number(stepsArg);
const from = Number(fromArg);
const resume = mode === 'resume' ? JSON.parse(readFileSync(handleFile, 'utf8')) : undefined;

const tracker = await createExperimentTracker({
  experiment: 'ranks',
  runName: 'job',
  rankGating: 'all',
  tensorboardLogging: true,
  tensorboardLogDir: join(dir, 'tb'),
  mlflowLogging: true,
  mlflowTrackingUri: url,
  mlflowSpoolDir: join(dir, `spool-${rank}`),
  wandbLogging: true,
  wandbMode: 'offline',
  wandbDir: join(dir, 'wandb'),
  experimentLoggingInterval: 1,
  logLevel: 'warn',
  env: { RANK: String(rank) },
  resume,
});
const first = mode === 'resume' ? from : 0;
const last = mode === 'die' ? from : steps;
for (let step = first; step < last; step++) tracker.log({ 'training/loss': rank * 1e6 + step }, { step });
if (mode === 'die') {
  await tracker.flush();
  writeFileSync(handleFile, JSON.stringify(tracker.runHandle()));
  process.kill(process.pid, 'SIGKILL');
}
await tracker.close();
const stats = tracker.stats();
process.stdout.write(`${JSON.stringify({ rank, handle: tracker.runHandle(), failed: stats.exporters.reduce((n, e) => n + e.failed + e.dropped, 0) })}\n`);
