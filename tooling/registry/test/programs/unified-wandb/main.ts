// Type-checked only (tsc --strict --noEmit, module nodenext): the ESM declarations.
import { createExperimentTracker, type ExperimentTracker } from '@metrics/unified';
import { readWandbFile, type WandbFileContents } from '@metrics/wandb';

await using tracker: ExperimentTracker = await createExperimentTracker({ experiment: 'exp', wandbMode: 'offline' });
tracker.logTrainingMetrics(0, 1, { loss: 0.5 });
const contents: WandbFileContents = readWandbFile(new Uint8Array());
console.log(contents.headerOk);
// @ts-expect-error experiment is a string
await createExperimentTracker({ experiment: 1 });
