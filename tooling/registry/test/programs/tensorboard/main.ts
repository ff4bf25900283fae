// Type-checked only (tsc --strict --noEmit, module nodenext): the ESM declarations.
import { createTensorBoardTracker, summarizeLogDir, type RunSummary } from '@metrics/tensorboard';

const tracker = createTensorBoardTracker({ logDir: 'runs-ts', experiment: 'exp', runName: 'run' });
tracker.log({ 'training/loss': 0.5 }, { step: 1 });
await tracker.close();
const runs: RunSummary[] = summarizeLogDir('runs-ts');
const count: number | undefined = runs[0]?.tags.get('training/loss')?.count;
console.log(count);
// The declarations are real types, not `any`:
// @ts-expect-error logDir is a string
createTensorBoardTracker({ logDir: 42 });
