/** The standard-metrics registry: well-known names with unit, kind, priority and description. */
export type MetricKind = 'gauge' | 'counter' | 'timing' | 'ratio';
export type Priority = 'high' | 'medium' | 'low';

export interface MetricDefinition {
  name: string;
  unit: string;
  kind: MetricKind;
  priority: Priority;
  description: string;
}

const d = (name: string, unit: string, kind: MetricKind, priority: Priority, description: string): MetricDefinition => ({
  name,
  unit,
  kind,
  priority,
  description,
});

export const STANDARD_METRICS: readonly MetricDefinition[] = Object.freeze([
  d('training/loss', '', 'gauge', 'high', 'Training loss for the step or interval'),
  d('training/accuracy', 'ratio', 'ratio', 'high', 'Training accuracy in [0, 1]'),
  d('training/learning_rate', '', 'gauge', 'high', 'Optimizer learning rate'),
  d('training/epoch', '', 'counter', 'high', 'Current epoch'),
  d('training/gradient_norm', '', 'gauge', 'medium', 'Global L2 norm of the gradients'),
  d('training/weight_norm', '', 'gauge', 'medium', 'Global L2 norm of the weights'),
  d('training/samples_per_second', 'samples/s', 'gauge', 'medium', 'Training throughput'),
  d('validation/loss', '', 'gauge', 'high', 'Validation loss'),
  d('validation/accuracy', 'ratio', 'ratio', 'high', 'Validation accuracy in [0, 1]'),
  d('evaluation/accuracy', 'ratio', 'ratio', 'high', 'Held-out evaluation accuracy'),
  d('evaluation/precision', 'ratio', 'ratio', 'high', 'Macro-averaged precision'),
  d('evaluation/recall', 'ratio', 'ratio', 'high', 'Macro-averaged recall'),
  d('evaluation/f1', 'ratio', 'ratio', 'high', 'Macro-averaged F1 score'),
  d('evaluation/loss', '', 'gauge', 'high', 'Held-out evaluation loss'),
  // From a framework allocator probe (summed over its devices); per-device readings are system/gpu/<index>/….
  d('performance/gpu_memory_allocated_mb', 'MB', 'gauge', 'low', 'GPU memory allocated by tensors (allocator probe, all devices)'),
  d('performance/gpu_memory_reserved_mb', 'MB', 'gauge', 'low', 'GPU memory reserved by the allocator (allocator probe, all devices)'),
  d('performance/cpu_usage_percent', '%', 'gauge', 'low', 'Process CPU usage (100 = all cores busy)'),
  d('performance/memory_rss_mb', 'MB', 'gauge', 'low', 'Resident set size'),
  d('performance/heap_used_mb', 'MB', 'gauge', 'low', 'V8 heap in use'),
  d('performance/event_loop_delay_ms', 'ms', 'gauge', 'low', 'Event-loop delay (p99 over the interval)'),
  d('performance/step_time_ms', 'ms', 'timing', 'medium', 'Wall time of one training step'),
  d('usage/inference_count', 'count', 'counter', 'medium', 'Predictions served by a model version'),
  d('usage/latency_ms', 'ms', 'timing', 'medium', 'Prediction latency'),
  d('usage/error_rate', 'ratio', 'ratio', 'medium', 'Share of failed predictions'),
  d('usage/model_registrations', 'count', 'counter', 'medium', 'Model versions registered in the model registry'),
  d('usage/registry_operations', 'count', 'counter', 'medium', 'Model-registry calls made (register, alias, tag, search …)'),
  d('usage/registry_errors', 'count', 'counter', 'medium', 'Model-registry calls that failed'),
  d('usage/registry_latency_ms', 'ms', 'timing', 'medium', 'Latency of a model-registry call'),
  d('model/registered_version', '', 'gauge', 'medium', 'Version number of the model version last registered'),
  d('model/parameter_count', 'count', 'gauge', 'medium', 'Trainable parameters'),
  d('model/size_mb', 'MB', 'gauge', 'medium', 'Serialized model size'),
  d('pipeline/duration_seconds', 's', 'timing', 'medium', 'Wall time of a pipeline stage'),
  d('pipeline/samples_processed', 'count', 'counter', 'medium', 'Samples processed by a stage'),
]);

/** Patterns for families of names (`profiling/timing/<op>`): matched when no exact entry exists. */
export const STANDARD_METRIC_PATTERNS: readonly (MetricDefinition & { pattern: RegExp })[] = Object.freeze([
  { ...d('profiling/timing/<op>', 'ms', 'timing', 'low', 'Mean wall time of a profiled operation'), pattern: /^profiling\/timing\/[^/]+$/ },
  { ...d('profiling/memory/<op>', 'MB', 'gauge', 'low', 'Mean heap delta of a profiled operation'), pattern: /^profiling\/memory\/[^/]+$/ },
  { ...d('profiling/bottlenecks/<n>', 'ms', 'timing', 'low', 'Total time of the n-th costliest operation'), pattern: /^profiling\/bottlenecks\/[^/]+$/ },
  gpuDevice('utilization_percent', '%', 'GPU utilisation of device <index> (nvidia-smi utilization.gpu)'),
  gpuDevice('memory_used_mb', 'MB', 'Memory in use on device <index> (nvidia-smi memory.used, MiB)'),
  gpuDevice('memory_total_mb', 'MB', 'Memory of device <index> (nvidia-smi memory.total, MiB)'),
  gpuDevice('temperature_c', '°C', 'Temperature of device <index> (nvidia-smi temperature.gpu)'),
  gpuDevice('power_w', 'W', 'Power draw of device <index> (nvidia-smi power.draw)'),
]);

/** `system/gpu/<index>/<metric>`: one GPU by its device index. */
function gpuDevice(metric: string, unit: string, description: string): MetricDefinition & { pattern: RegExp } {
  return { ...d(`system/gpu/<index>/${metric}`, unit, 'gauge', 'low', description), pattern: new RegExp(`^system/gpu/\\d+/${metric}$`) };
}

/** A registry users extend with their own definitions; lookups are exact first, then by pattern. */
export class MetricRegistry {
  private readonly exact = new Map<string, MetricDefinition>();
  private readonly patterns: (MetricDefinition & { pattern: RegExp })[] = [];

  constructor(definitions: readonly MetricDefinition[] = STANDARD_METRICS, patterns = STANDARD_METRIC_PATTERNS) {
    for (const def of definitions) this.exact.set(def.name, def);
    this.patterns.push(...patterns);
  }

  register(def: MetricDefinition | (MetricDefinition & { pattern: RegExp })): this {
    if ('pattern' in def && def.pattern instanceof RegExp) this.patterns.push(def);
    else this.exact.set(def.name, def);
    return this;
  }

  get(name: string): MetricDefinition | undefined {
    const hit = this.exact.get(name);
    if (hit) return hit;
    return this.patterns.find((p) => p.pattern.test(name));
  }

  /** Priority of a name; unknown names are 'medium'. */
  priorityOf(name: string): Priority {
    return this.get(name)?.priority ?? 'medium';
  }

  list(): MetricDefinition[] {
    return [...this.exact.values(), ...this.patterns];
  }
}

const PRIORITY_RANK: Record<Priority, number> = { high: 3, medium: 2, low: 1 };

/** True when a metric of `priority` should be logged at selective-logging `level` ('low' = everything). */
export function passesPriority(priority: Priority, level: Priority): boolean {
  return PRIORITY_RANK[priority] >= PRIORITY_RANK[level];
}
