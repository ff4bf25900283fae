// CommonJS consumer of @metrics/unified with only the W&B backend installed.
const assert = require('node:assert/strict');
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const { createExperimentTracker } = require('@metrics/unified');
const { readWandbFile } = require('@metrics/wandb');

async function main() {
  const tracker = await createExperimentTracker({
    experiment: 'exp',
    runName: 'run',
    wandbDir: 'wandb-cjs',
    wandbMode: 'offline',
    experimentLoggingInterval: 1,
  });
  for (let step = 0; step < 5; step++) tracker.logTrainingMetrics(0, step, { loss: 1 / (step + 1) });
  await tracker.close();
  const runsDir = join('wandb-cjs', 'wandb');
  const runDir = readdirSync(runsDir).find((d) => d.startsWith('offline-run-'));
  const file = readdirSync(join(runsDir, runDir)).find((f) => f.endsWith('.wandb'));
  assert.equal(readWandbFile(join(runsDir, runDir, file)).records.filter((r) => r.type === 'history').length, 5);
  console.log('ok unified+wandb cjs');
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
