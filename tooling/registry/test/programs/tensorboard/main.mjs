// ESM consumer of @metrics/tensorboard installed from a registry: write a run, read it back.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTensorBoardTracker, summarizeLogDir } from '@metrics/tensorboard';

const tracker = createTensorBoardTracker({ logDir: 'runs-esm', experiment: 'exp', runName: 'run', logLevel: 'error' });
for (let step = 0; step < 5; step++) tracker.log({ 'training/loss': 1 / (step + 1) }, { step });
await tracker.close();
const [run] = summarizeLogDir('runs-esm');
assert.equal(run.tags.get('training/loss')?.count, 5);
assert.deepEqual(run.errors, []);

// @metrics/core/test (ESM build) loads without vitest, which is not installed.
const fromTensorBoard = createRequire(createRequire(import.meta.url).resolve('@metrics/tensorboard'));
assert.throws(() => fromTensorBoard.resolve('vitest'), /Cannot find module/);
const corePackageJson = fromTensorBoard.resolve('@metrics/core/package.json');
const testEntry = JSON.parse(readFileSync(corePackageJson, 'utf8')).exports['./test'].import.default;
const { InMemoryExporter } = await import(pathToFileURL(join(dirname(corePackageJson), testEntry)).href);
assert.equal(new InMemoryExporter().name, 'memory');
console.log('ok tensorboard esm');
