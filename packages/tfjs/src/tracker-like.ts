import type { Tracker } from '@metrics/core';

/**
 * The part of a tracker this package uses: what core's `Tracker`, a single backend's tracker
 * (`createTensorBoardTracker`, `createMlflowTracker`, `createWandbTracker`) and the facade
 * (`createExperimentTracker`) all have.
 */
export type TrackerLike = Pick<Tracker, 'log' | 'logHistogram' | 'logHyperparams' | 'logConfig' | 'logText' | 'setSummary' | 'logArtifact' | 'flush' | 'step'>;

/** What `@metrics/mlflow`'s native handle offers for the Model Registry (`MlflowNative.registerModel`). */
export interface ModelRegistry {
  registerModel(name: string, artifactPath: string, options?: { description?: string }): Promise<{ name: string; version: string; source: string }>;
}

/** The facade's `backend('mlflow').native()`, when the tracker is the facade with MLflow on. */
export function mlflowRegistryOf(tracker: TrackerLike): ModelRegistry | undefined {
  const backend = (tracker as { backend?: (name: string) => { native(): unknown } | undefined }).backend;
  if (typeof backend !== 'function') return undefined;
  const native = backend.call(tracker, 'mlflow')?.native() as Partial<ModelRegistry> | undefined;
  return typeof native?.registerModel === 'function' ? (native as ModelRegistry) : undefined;
}
