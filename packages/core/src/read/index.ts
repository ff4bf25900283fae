export type { MetricPoint, RunReader, RunStatus, RunSummary } from './types.js';
export { selectMetrics, type MetricSelection } from './select.js';
export { sparkline } from './sparkline.js';
export { formatHistory, formatNumber, formatRunsTable, textTable, type HistoryFormat } from './format.js';
export { parseCommandLine, positiveIntOption, UsageError } from './cli-args.js';
export { READ_COMMAND_OPTIONS, READ_COMMANDS_HELP, runReadCommand } from './commands.js';
export { LocalRunReader, type LocalRunContents } from './local-reader.js';
export { runLocalReadCli, unreadableDirectory, type LocalReadCli, type LocalCliValues } from './local-cli.js';
