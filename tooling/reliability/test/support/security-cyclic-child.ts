/**
 * Child for the cyclic-config test: logs a config object that refers to itself `refs` times through a
 * TensorBoard tracker and closes it. argv: <logDir> <refs>. Prints `closed` when close() resolved.
 * Run with a small heap so a blow-up ends in an out-of-memory exit instead of eating the machine.
 */
import { createTensorBoardTracker } from '@metrics/tensorboard';

const [logDir, refs] = process.argv.slice(2) as [string, string];
const tracker = createTensorBoardTracker({ logDir, experiment: 'cyclic', runName: 'run', handleExit: false, logLevel: 'silent' });
const config: Record<string, unknown> = { lr: 0.1 };
for (let i = 0; i < Number(refs); i++) config[`self${i}`] = config;
tracker.logConfig(config);
tracker.log({ 'training/loss': 1 }, { step: 0 });
await tracker.close();
process.stdout.write('closed\n');
