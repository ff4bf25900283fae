// How long `createExperimentTracker` takes to be ready with all three backends, in a fresh process (the
// backends' packages are imported on first use, so a second creation in the same process is not the one
// users feel). Run from the repository root:
//   node --conditions=@metrics/source --import tsx apps/demo-pipeline/bench/creation.mjs   (TypeScript sources)
//   node apps/demo-pipeline/bench/creation.mjs                                                (built dist/, after pnpm build)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '@metrics/core';
import { createExperimentTracker } from '@metrics/unified';

const out = mkdtempSync(join(tmpdir(), 'metrics-creation-'));
/** @type {string[]} */
const lines = [];
// CPU time too: on a shared machine wall time mostly measures the other processes.
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const tracker = await createExperimentTracker({
  experiment: 'creation-bench',
  tensorboardLogging: true,
  tensorboardLogDir: join(out, 'runs'),
  mlflowLogging: true,
  mlflowSpoolDir: join(out, 'mlflow-spool'),
  wandbLogging: true,
  wandbDir: out,
  logger: createLogger({ level: 'info', sink: (_level, line) => lines.push(line) }),
  env: {},
});
const ready = performance.now() - t0;
const { user, system } = process.cpuUsage(cpu0);
tracker.log({ 'training/loss': 1 }, { step: 0 });
const t1 = performance.now();
await tracker.close();
const closed = performance.now() - t1;
rmSync(out, { recursive: true, force: true });
console.log(
  JSON.stringify({
    backends: tracker.backends,
    readyMs: +ready.toFixed(1),
    readyCpuMs: +((user + system) / 1000).toFixed(1),
    closeMs: +closed.toFixed(1),
    warnings: lines.filter((l) => l.includes('⚠️')),
  }),
);
