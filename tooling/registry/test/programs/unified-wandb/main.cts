// Type-checked only: the CommonJS declarations (.d.cts).
import { createExperimentTracker } from '@metrics/unified';
import { createWandbTracker } from '@metrics/wandb';

void createExperimentTracker({ experiment: 'exp' }).then((t) => t.close());
void createWandbTracker({ project: 'p', mode: 'offline' }).close();
// @ts-expect-error experiment is a string
void createExperimentTracker({ experiment: 1 });
