// CommonJS consumer of @metrics/tensorboard installed from a registry.
const assert = require('node:assert/strict');
const { createTensorBoardTracker, summarizeLogDir } = require('@metrics/tensorboard');

async function main() {
  const tracker = createTensorBoardTracker({ logDir: 'runs-cjs', experiment: 'exp', runName: 'run', logLevel: 'error' });
  for (let step = 0; step < 5; step++) tracker.log({ 'training/loss': 1 / (step + 1) }, { step });
  await tracker.close();
  const [run] = summarizeLogDir('runs-cjs');
  assert.equal(run.tags.get('training/loss')?.count, 5);

  // @metrics/core/test (CJS build) loads without vitest, which is not installed.
  const { createRequire } = require('node:module');
  const fromTensorBoard = createRequire(require.resolve('@metrics/tensorboard'));
  assert.throws(() => fromTensorBoard.resolve('vitest'), /Cannot find module/);
  const { InMemoryExporter, createFakeClock } = fromTensorBoard('@metrics/core/test');
  assert.equal(new InMemoryExporter().name, 'memory');
  assert.equal(typeof createFakeClock, 'function');
  console.log('ok tensorboard cjs');
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
