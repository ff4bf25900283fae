// CommonJS consumer of @metrics/mlflow installed from a registry.
const assert = require('node:assert/strict');
const { readdirSync } = require('node:fs');
const { createMlflowTracker } = require('@metrics/mlflow');

async function main() {
  const tracker = createMlflowTracker({ experiment: 'exp', runName: 'run', spillDir: 'spool-cjs', logLevel: 'error' });
  for (let step = 0; step < 5; step++) tracker.log({ 'training/loss': 1 / (step + 1) }, { step });
  await tracker.close();
  assert.ok(readdirSync('spool-cjs').length > 0, 'the spool holds the points');
  console.log('ok mlflow cjs');
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
