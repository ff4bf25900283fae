/**
 * One writer of the MLflow load scenario (`runMlflowLoad` in @metrics/oracle; run by `pnpm bench` and the
 * reliability suite's load test): logs `points` scalars (`keys` metrics per step, value = step * keys + key) to an
 * MLflow server through createMlflowTracker, closes, and prints one JSON line with its run id and stats.
 * argv: <trackingUri> <experiment> <runName> <points> <keys> <spillDir> [closeTimeoutMs]
 */
import { createMlflowTracker } from '../src/index.js';

const [trackingUri, experiment, runName, pointsArg, keysArg, spillDir, closeArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string?,
];
const points = Number(pointsArg);
const keys = Number(keysArg);
const names = Array.from({ length: keys }, (_, k) => `training/m${k}`);

// Retries capped at 2 s: a restarted server is used as soon as it is back.
const tracker = createMlflowTracker({
  trackingUri,
  experiment,
  runName,
  spillDir,
  handleExit: false,
  logLevel: 'warn',
  env: {},
  retry: { maxDelayMs: 2_000 },
});
const started = performance.now();
const values: Record<string, number> = {};
for (let step = 0; step < points / keys; step++) {
  for (let k = 0; k < keys; k++) values[names[k]!] = step * keys + k;
  tracker.log(values, { step });
}
const loggedMs = performance.now() - started;
// Generous: the point is that everything arrives, however slow the shared server is. flush() first: it waits
// out a server restart, where close() would spool what a dead server cannot take after one more attempt.
const budgetMs = Number(closeArg ?? 600_000);
await tracker.flush({ timeoutMs: budgetMs });
await tracker.close(undefined, { timeoutMs: budgetMs });
const stats = tracker.stats().exporters[0]!;
process.stdout.write(
  JSON.stringify({ runId: tracker.runHandle().runIds.mlflow?.runId, loggedMs: Math.round(loggedMs), totalMs: Math.round(performance.now() - started), stats }) +
    '\n',
);
