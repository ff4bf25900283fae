import type { Logger } from '../logger.js';

/** Flat names from older code and their hierarchical replacements. Users may extend the map. */
export const LEGACY_METRIC_NAMES: Readonly<Record<string, string>> = Object.freeze({
  loss: 'training/loss',
  train_loss: 'training/loss',
  accuracy: 'training/accuracy',
  acc: 'training/accuracy',
  train_accuracy: 'training/accuracy',
  lr: 'training/learning_rate',
  learning_rate: 'training/learning_rate',
  epoch: 'training/epoch',
  grad_norm: 'training/gradient_norm',
  gradient_norm: 'training/gradient_norm',
  val_loss: 'validation/loss',
  val_accuracy: 'validation/accuracy',
  val_acc: 'validation/accuracy',
  test_accuracy: 'evaluation/accuracy',
  precision: 'evaluation/precision',
  recall: 'evaluation/recall',
  f1: 'evaluation/f1',
  gpu_memory: 'performance/gpu_memory_allocated_mb',
  cpu_usage: 'performance/cpu_usage_percent',
  memory_usage: 'performance/memory_rss_mb',
});

export interface LegacyMigrator {
  /** The new name for a legacy one (warning once per name), or the name unchanged. */
  migrateName(name: string): string;
  /** Rewrites every key of a record. When two keys map to one name, the later one wins. */
  migrateRecord<T>(record: Readonly<Record<string, T>>): Record<string, T>;
}

export function createLegacyMigrator(options: { map?: Readonly<Record<string, string>>; logger?: Logger } = {}): LegacyMigrator {
  const map = options.map ?? LEGACY_METRIC_NAMES;
  const migrateName = (name: string): string => {
    const target = Object.hasOwn(map, name) ? map[name] : undefined;
    if (target === undefined) return name;
    options.logger?.warnOnce(`legacy:${name}`, `Metric "${name}" is a legacy name; logging it as "${target}". Rename it at the call site.`);
    return target;
  };
  return {
    migrateName,
    migrateRecord(record) {
      const out: Record<string, (typeof record)[string]> = {};
      for (const key of Object.keys(record)) out[migrateName(key)] = record[key]!;
      return out;
    },
  };
}
