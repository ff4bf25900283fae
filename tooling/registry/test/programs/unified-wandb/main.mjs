// ESM consumer of @metrics/unified with only the W&B backend installed: an offline run, read back.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BackendNotInstalledError, createExperimentTracker } from '@metrics/unified';
import { readWandbFile } from '@metrics/wandb';

const tracker = await createExperimentTracker({ experiment: 'exp', runName: 'run', wandbDir: 'wandb-esm', wandbMode: 'offline', experimentLoggingInterval: 1 });
for (let step = 0; step < 5; step++) tracker.logTrainingMetrics(0, step, { loss: 1 / (step + 1) });
await tracker.close();

const runsDir = join('wandb-esm', 'wandb');
const runDir = readdirSync(runsDir).find((d) => d.startsWith('offline-run-'));
assert.ok(runDir, 'an offline run directory');
const file = readdirSync(join(runsDir, runDir)).find((f) => f.endsWith('.wandb'));
const contents = readWandbFile(join(runsDir, runDir, file));
assert.equal(contents.records.filter((r) => r.type === 'history').length, 5);

// Backends not installed are off by default, and an error naming the package when asked for.
await assert.rejects(
  createExperimentTracker({ experiment: 'exp', tensorboardLogging: true }),
  (err) => err instanceof BackendNotInstalledError && /npm install @metrics\/tensorboard/.test(err.message),
);
console.log('ok unified+wandb esm');
