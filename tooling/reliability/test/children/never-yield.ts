/**
 * Child for the never-yield tests: a synchronous loop that logs `points` scalars (10 per step, value =
 * step * 10 + key) and never awaits, with DEFAULT queue options, through one backend or the facade with all
 * three. Runs in <dir> as its cwd (default paths: ./runs, ./wandb, ./mlflow-spool). Then closes and
 * prints one JSON line: stats, the run's ids/paths, peak RSS, and the caller's cost (reported, not asserted).
 * argv: <dir> <backend: tensorboard|wandb|mlflow|facade> <points> [mlflowUri]
 */
import type { PipelineStats, Tracker } from '@metrics/core';
import { createMlflowTracker } from '@metrics/mlflow';
import { createTensorBoardTracker } from '@metrics/tensorboard';
import { createExperimentTracker } from '@metrics/unified';
import { createWandbExporter } from '@metrics/wandb';
import { createTracker } from '@metrics/core';

const [dir, backend, pointsArg, mlflowUri] = process.argv.slice(2) as [string, string, string, string | undefined];
process.chdir(dir);
const KEYS = 10;
const points = Number(pointsArg);
const names = Array.from({ length: KEYS }, (_, k) => `training/m${k}`);
const common = { experiment: 'never-yield', runName: backend, handleExit: false, logLevel: 'error' as const };

let tracker: Tracker & { stats(): PipelineStats };
let wandbRunDir: () => string | undefined = () => undefined;
if (backend === 'tensorboard') tracker = createTensorBoardTracker(common);
else if (backend === 'mlflow') tracker = createMlflowTracker({ ...common, trackingUri: mlflowUri, env: {} });
else if (backend === 'wandb') {
  const exporter = createWandbExporter({ mode: 'offline', env: {} });
  tracker = createTracker({ ...common, exporters: [exporter] });
  wandbRunDir = () => (exporter.native() as { runDir?: string }).runDir;
} else {
  const facade = await createExperimentTracker({
    experiment: 'never-yield',
    runName: backend,
    tensorboardLogging: true,
    wandbLogging: true,
    wandbMode: 'offline',
    mlflowLogging: true,
    mlflowTrackingUri: mlflowUri,
    // Every step exported (the facade's default interval, 10, would average ten steps into one point);
    // the queue and overflow options stay at their defaults.
    experimentLoggingInterval: 1,
    logLevel: 'error',
    env: {},
  });
  tracker = facade as unknown as Tracker & { stats(): PipelineStats };
  wandbRunDir = () => (facade.backend('wandb')!.native() as { runDir?: string }).runDir;
}

const values: Record<string, number> = {};
let maxCallMs = 0;
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
for (let step = 0; step < points / KEYS; step++) {
  for (let k = 0; k < KEYS; k++) values[names[k]!] = step * KEYS + k;
  const t0 = process.hrtime.bigint();
  tracker.log(values, { step });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ms > maxCallMs) maxCallMs = ms;
}
const loopNs = Number(process.hrtime.bigint() - started);
const loopCpu = process.cpuUsage(cpuBefore); // this process's CPU (all threads): wall time on a loaded machine says little
const atLoopEnd = tracker.stats();
// What a user does after the loop: wait for everything (the spooled tail goes to the server now), then close.
await tracker.flush();
await tracker.close();
process.stdout.write(
  JSON.stringify({
    atLoopEnd,
    stats: tracker.stats(),
    runIds: tracker.runHandle().runIds,
    wandbRunDir: wandbRunDir(),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    callerNsPerScalar: Math.round(loopNs / points),
    maxCallMs: Math.round(maxCallMs * 10) / 10,
    loopMs: Math.round(loopNs / 1e6),
    loopCpuMs: Math.round((loopCpu.user + loopCpu.system) / 1000),
  }) + '\n',
);
