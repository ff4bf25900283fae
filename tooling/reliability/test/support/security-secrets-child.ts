/**
 * Child for the secret-leak test: a whole program using the facade with its default logger (stderr),
 * credentials only in its environment (MLFLOW_TRACKING_TOKEN, WANDB_API_KEY, …), MLflow behind a proxy
 * that answers 401/500 and W&B online against the loopback server. Prints its stats to stdout.
 * argv: <root dir>.
 */
import { join } from 'node:path';
import { createExperimentTracker } from '@metrics/unified';

const [root] = process.argv.slice(2) as [string];
const tracker = await createExperimentTracker({
  experiment: 'secret-child',
  runName: 'child',
  tensorboardLogDir: join(root, 'tb'),
  wandbMode: 'online',
  wandbDir: join(root, 'wandb'),
  mlflowSpoolDir: join(root, 'spool'),
  closeTimeoutMs: 8_000,
  logLevel: 'debug',
  backendOptions: {
    wandb: {
      runId: 'secretchild',
      fileStream: { intervalMs: 50, heartbeatMs: 60_000 },
      retry: { initialDelayMs: 10, maxDelayMs: 100, maxAttempts: 6, deadlineMs: 5_000 },
    },
  },
});
tracker.logHyperparams({ lr: 0.01, optimizer: 'adam' }, { metrics: ['training/loss'] });
tracker.logConfig({ model: { layers: [8, 4] } });
for (let step = 0; step < 100; step++) tracker.log({ 'training/loss': 1 / (step + 1) }, { step });
tracker.logText('model/notes', 'hello', { step: 99 });
tracker.logImage('evaluation/sample', { width: 2, height: 2, channels: 1, data: new Uint8Array([0, 64, 128, 255]) }, { step: 99 });
tracker.setSummary({ 'training/loss': 0.01 });
await tracker.flush({ timeoutMs: 5_000 });
await tracker.close();
console.log(JSON.stringify({ stats: tracker.stats(), handle: tracker.runHandle() }));
