// Type-checked only: the CommonJS declarations (.d.cts).
import { createTensorBoardTracker } from '@metrics/tensorboard';

const tracker = createTensorBoardTracker({ logDir: 'runs-cts' });
tracker.log({ 'training/loss': 0.5 }, { step: 1 });
void tracker.close();
// @ts-expect-error logDir is a string
createTensorBoardTracker({ logDir: 42 });
