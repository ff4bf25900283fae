import { formatHistory, formatRunsTable } from './format.js';
import { positiveIntOption, UsageError } from './cli-args.js';
import type { RunReader } from './types.js';

/** The options `runs` and `history` share in every CLI; each CLI adds its own (where the runs are). */
export const READ_COMMAND_OPTIONS = {
  sparkline: { type: 'boolean' },
  width: { type: 'string' },
} as const;

export const READ_COMMANDS_HELP = `  runs                       list the runs: id, name, status, start time, counts of params, tags, metrics
  history <run> <metric>     a metric's history as a step/value/time table
      --sparkline            a terminal sparkline (▁▂▃▄▅▆▇█) with min, max and the last value instead
      --width <n>            sparkline width in characters (default 60; longer series are averaged)`;

/**
 * Runs `runs` or `history <run> <metric>` against a reader and returns the text to print. Throws
 * UsageError for wrong arguments; the reader's own errors (unknown run, server down) propagate.
 */
export async function runReadCommand(
  reader: RunReader,
  command: 'runs' | 'history',
  args: readonly string[],
  values: { sparkline?: boolean; width?: string },
): Promise<string> {
  if (command === 'runs') {
    if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}" (runs takes none)`);
    if (values.sparkline || values.width !== undefined) throw new UsageError('--sparkline and --width belong to history');
    return formatRunsTable(await reader.listRuns());
  }
  const [run, metric, ...extra] = args;
  if (run === undefined || metric === undefined) throw new UsageError('history needs a run and a metric: history <run> <metric>');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (history takes a run and a metric)`);
  const width = positiveIntOption(values.width, '--width');
  if (width !== undefined && !values.sparkline) throw new UsageError('--width sets the sparkline width; add --sparkline');
  return formatHistory(metric, await reader.metricHistory(run, metric), { sparkline: values.sparkline, width });
}
