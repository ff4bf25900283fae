// Type-checked only: the CommonJS declarations (.d.cts).
import { createMlflowTracker } from '@metrics/mlflow';

void createMlflowTracker({ experiment: 'exp' }).close();
// @ts-expect-error trackingUri is a string
createMlflowTracker({ trackingUri: 5000 });
