// Type-checked only (tsc --strict --noEmit, module nodenext): the ESM declarations.
import { createMlflowTracker, MlflowApiError, type MlflowTrackerOptions } from '@metrics/mlflow';

const options: MlflowTrackerOptions = { experiment: 'exp', trackingUri: 'http://127.0.0.1:5000' };
const tracker = createMlflowTracker(options);
tracker.log({ 'training/loss': 0.5 }, { step: 1 });
await tracker.close();
console.log(MlflowApiError.name);
// @ts-expect-error trackingUri is a string
createMlflowTracker({ trackingUri: 5000 });
