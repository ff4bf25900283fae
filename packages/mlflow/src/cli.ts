#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { createLogger } from '@metrics/core';
import { parseCommandLine, READ_COMMAND_OPTIONS, READ_COMMANDS_HELP, runReadCommand, UsageError, positiveIntOption } from '@metrics/core/backend';
import { createMlflowReader } from './read/reader.js';
import { replaySpool } from './replay.js';
import { checkTrackingUri } from './tracking-uri.js';

const USAGE = `Usage: metrics-mlflow replay <spool-file-or-dir> [--tracking-uri URL]
       metrics-mlflow runs [--experiment NAME]… [--filter EXPR] [--order-by CLAUSE]… [--max-results N] [--tracking-uri URL]
       metrics-mlflow history <run> <metric> [--sparkline [--width N]] [--experiment NAME]… [--tracking-uri URL]
       metrics-mlflow --help`;

const HELP = `metrics-mlflow — send spooled points to MLflow and read runs back.

${USAGE}

Commands:
  replay <spool>             send points that @metrics/mlflow spooled to disk (no server, or an outage) to the
                             server; a spool file is deleted once all of it was accepted
${READ_COMMANDS_HELP}
                             <run> is a run id, or a run name that exactly one run has

Options:
  --tracking-uri <url>       the MLflow server (default: MLFLOW_TRACKING_URI)
  --experiment <name>        experiments to read (repeatable; default: every active experiment)
  --filter <expr>            MLflow's search syntax, e.g. "metrics.loss < 1 and params.lr = '0.1'"
                             (keys with "/" in backticks: metrics.\`training/loss\`)
  --order-by <clause>        e.g. "metrics.\`training/loss\` ASC" (repeatable)
  --max-results <n>          list at most n runs
  -h, --help                 show this help

Exit codes: 0 done, 1 a failure (server, spool, unknown run), 2 bad usage.
`;

const OPTIONS = {
  'tracking-uri': { type: 'string' },
  experiment: { type: 'string', multiple: true },
  filter: { type: 'string' },
  'order-by': { type: 'string', multiple: true },
  'max-results': { type: 'string' },
  ...READ_COMMAND_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

/** Bad usage: the problem and the usage on stderr, exit code 2. */
function usageError(problem: string): number {
  console.error(`metrics-mlflow: ${problem}\n\n${USAGE}`);
  return 2;
}

interface Values {
  'tracking-uri'?: string;
  experiment?: string[];
  filter?: string;
  'order-by'?: string[];
  'max-results'?: string;
  sparkline?: boolean;
  width?: string;
  help?: boolean;
}

async function main(argv: string[]): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseCommandLine(argv, OPTIONS) as { values: Values; positionals: string[] });
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    throw error;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, ...args] = positionals;
  if (command === undefined) return usageError('no command given');
  if (command !== 'replay' && command !== 'runs' && command !== 'history') return usageError(`unknown command "${command}"`);
  const trackingUri = values['tracking-uri'] ?? process.env.MLFLOW_TRACKING_URI;
  if (command === 'replay') return replay(args, trackingUri, values);
  if (!trackingUri) return usageError('no tracking URI: pass --tracking-uri or set MLFLOW_TRACKING_URI');
  let reader: ReturnType<typeof createMlflowReader>;
  let maxResults: number | undefined;
  try {
    checkTrackingUri(trackingUri, values['tracking-uri'] !== undefined ? 'trackingUri' : 'MLFLOW_TRACKING_URI');
    if (command === 'history' && (values.filter !== undefined || values['order-by'] || values['max-results'] !== undefined))
      throw new UsageError('--filter, --order-by and --max-results belong to runs');
    maxResults = positiveIntOption(values['max-results'], '--max-results');
    reader = createMlflowReader({ trackingUri, experimentNames: values.experiment, env: {} });
  } catch (error) {
    return usageError((error as Error).message);
  }
  try {
    const search = { filter: values.filter, orderBy: values['order-by'], maxResults };
    const text = await runReadCommand(
      { listRuns: () => reader.searchRuns(search), metricHistory: (run, metric) => reader.metricHistory(run, metric) },
      command,
      args,
      values,
    );
    console.log(text);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    console.error(`metrics-mlflow: ${(error as Error).message}`);
    return 1;
  } finally {
    await reader.close();
  }
}

async function replay(args: string[], trackingUri: string | undefined, values: Values): Promise<number> {
  const readOnly = (['experiment', 'filter', 'order-by', 'max-results', 'sparkline', 'width'] as const).find((k) => values[k] !== undefined);
  if (readOnly) return usageError(`--${readOnly} does not apply to replay`);
  if (!args[0]) return usageError('replay needs a spool file or directory');
  if (args.length > 1) return usageError(`unexpected argument "${args[1]}"`);
  const path = args[0];
  if (!existsSync(path)) {
    console.error(`metrics-mlflow: no spool file or directory at ${path}`);
    return 1;
  }
  if (!trackingUri) return usageError('no tracking URI: pass --tracking-uri or set MLFLOW_TRACKING_URI');
  try {
    checkTrackingUri(trackingUri, values['tracking-uri'] !== undefined ? 'trackingUri' : 'MLFLOW_TRACKING_URI');
  } catch (error) {
    return usageError((error as Error).message);
  }
  const results = await replaySpool(path, { trackingUri, logger: createLogger() });
  let failed = 0;
  for (const r of results) {
    if (r.error) failed++;
    console.log(`${r.error ? '❌' : '✅'} ${r.file}: ${r.sent} records sent${r.runId ? ` to run ${r.runId}` : ''}${r.error ? ` — ${r.error}` : ''}`);
  }
  if (results.length === 0) console.log('nothing to replay');
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  // Exit once stdout is drained: a long history piped to another program must arrive whole.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error) => {
    console.error(`metrics-mlflow: ${(error as Error).message}`);
    process.exit(1);
  },
);
