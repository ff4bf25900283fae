import type { Logger } from '../logger.js';
import { MetricRegistry, passesPriority, type Priority } from '../conventions/registry.js';

/**
 * Processor 4: selective logging. A scalar whose registry priority is below `loggingPriority` is not
 * logged; each drop is counted by the caller, and the first one per name is said (info) with the option
 * to change. Decisions are memoised per name (bounded).
 */
export function createPrioritySelector(options: {
  level: Priority | undefined;
  registry?: MetricRegistry;
  logger: Logger;
  maxMemo?: number;
}): ((name: string) => boolean) | undefined {
  const level = options.level;
  if (level === undefined || level === 'low') return undefined; // 'low' keeps everything
  const registry = options.registry ?? new MetricRegistry();
  const memo = new Map<string, boolean>();
  const maxMemo = options.maxMemo ?? 100_000;
  return (name) => {
    let keep = memo.get(name);
    if (keep !== undefined) return keep;
    const priority = registry.priorityOf(name);
    keep = passesPriority(priority, level);
    if (!keep)
      options.logger.info(
        `Not logging "${name}" (priority ${priority}) at loggingPriority "${level}": set loggingPriority: ` +
          `'${priority}' (or turn selective logging off) to log it. Drops are counted in stats().skippedBy.priority.`,
      );
    if (memo.size >= maxMemo) memo.clear();
    memo.set(name, keep);
    return keep;
  };
}
