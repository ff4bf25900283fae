import type { Logger } from '../logger.js';

/**
 * Common prefixes from other tools and their categories. A name starting with one is logged under the
 * category instead (warning once per alias), so `train/loss` is not dropped or parked under `custom/`.
 */
export const METRIC_PREFIX_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'train/': 'training/',
  'val/': 'validation/',
  'eval/': 'evaluation/',
  'test/': 'evaluation/test/',
});

/** Rewrites a name by its prefix alias (warning once per alias), or returns it unchanged. */
export function createAliasRewriter(options: { aliases?: Readonly<Record<string, string>>; logger?: Logger } = {}): (name: string) => string {
  const aliases = Object.entries(options.aliases ?? METRIC_PREFIX_ALIASES);
  return (name) => {
    for (const [from, to] of aliases) {
      if (!name.startsWith(from)) continue;
      const target = to + name.slice(from.length);
      options.logger?.warnOnce(
        `alias:${from}`,
        `Metric names starting with "${from}" are logged under "${to}" (e.g. "${name}" → "${target}"); use "${to}" at the call site.`,
      );
      return target;
    }
    return name;
  };
}
