// ESM consumer of @metrics/mlflow installed from a registry: no server, so the points go to the spool.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createMlflowTracker, sanitizeMlflowKey } from '@metrics/mlflow';

assert.equal(sanitizeMlflowKey('training/loss'), 'training/loss');
const tracker = createMlflowTracker({ experiment: 'exp', runName: 'run', spillDir: 'spool-esm', logLevel: 'error' });
for (let step = 0; step < 5; step++) tracker.log({ 'training/loss': 1 / (step + 1) }, { step });
await tracker.close();
assert.ok(readdirSync('spool-esm').length > 0, 'the spool holds the points');
console.log('ok mlflow esm');
