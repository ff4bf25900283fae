/**
 * Registry events as the standard `usage/*` metrics (names from core's conventions registry), logged through
 * the user's tracker at its current step (`tracker.step`), so the registry never moves the training step
 * and no backend sees a step go backwards; a sink without `step` gets the registry call's number.
 */

/** Where the metrics go: any `Tracker` (or anything with its `log`). */
export interface RegistryMetricsSink {
  log(values: Readonly<Record<string, number>>, options?: { step?: number }): void;
  readonly step?: number;
}

export const REGISTRY_METRICS = {
  operations: 'usage/registry_operations',
  errors: 'usage/registry_errors',
  latencyMs: 'usage/registry_latency_ms',
  registrations: 'usage/model_registrations',
  registeredVersion: 'model/registered_version',
} as const;

export class RegistryUsage {
  operations = 0;
  errors = 0;
  registrations = 0;

  constructor(private readonly sink: RegistryMetricsSink | undefined) {}

  /** One call done (or failed) after `latencyMs`; a registration also logs its version number. */
  record(latencyMs: number, outcome: { failed: boolean; registeredVersion?: string }): void {
    this.operations++;
    if (outcome.failed) this.errors++;
    const values: Record<string, number> = {
      [REGISTRY_METRICS.operations]: this.operations,
      [REGISTRY_METRICS.errors]: this.errors,
      [REGISTRY_METRICS.latencyMs]: latencyMs,
    };
    if (outcome.registeredVersion !== undefined) {
      this.registrations++;
      values[REGISTRY_METRICS.registrations] = this.registrations;
      values[REGISTRY_METRICS.registeredVersion] = Number(outcome.registeredVersion);
    }
    try {
      if (!this.sink) return;
      const step = typeof this.sink.step === 'number' ? Math.max(0, this.sink.step - 1) : this.operations;
      this.sink.log(values, { step });
    } catch {
      // A tracker in strict mode or closed: the registry call itself succeeded, metrics are best effort.
    }
  }
}
