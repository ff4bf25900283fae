#!/usr/bin/env node
import { READ_COMMANDS_HELP, runLocalReadCli, unreadableDirectory, UsageError, type LocalCliValues, type LocalReadCli } from '@metrics/core/backend';
import { formatSummary, summarizeLogDir } from './reader/index.js';
import { createTensorBoardReader } from './reader/runs.js';

const USAGE = `Usage: metrics-tensorboard inspect <logdir>
       metrics-tensorboard runs [--logdir DIR]
       metrics-tensorboard history <run> <tag> [--sparkline [--width N]] [--logdir DIR]
       metrics-tensorboard --help`;

const HELP = `metrics-tensorboard — read TensorBoard event files without TensorFlow.

${USAGE}

Commands:
  inspect <logdir>           list every run under <logdir> (directories holding *tfevents* files), each tag with its
                             kind, count, step range and last value, and any damaged record (both CRCs are checked)
${READ_COMMANDS_HELP}
                             <run> is the run's directory relative to the logdir ("." for the logdir itself)

Options:
  --logdir <dir>             the log directory runs and history read (default: the current directory)
  -h, --help                 show this help

Exit codes: 0 read, 1 a path that cannot be read, a damaged file (a truncated last record is not damage:
a running writer leaves one) or an unknown run or tag, 2 bad usage.
`;

const NOT_A_LOGDIR = 'pass the log directory that holds the event files';

function inspect(args: string[], values: LocalCliValues): number {
  const [logdir, ...extra] = args;
  if (values.logdir !== undefined || values.sparkline || values.width !== undefined)
    throw new UsageError('inspect takes the log directory as its argument and no options');
  if (logdir === undefined) throw new UsageError('inspect needs the log directory');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (inspect takes one log directory)`);
  const problem = unreadableDirectory(logdir, NOT_A_LOGDIR);
  if (problem) {
    process.stderr.write(`metrics-tensorboard: ${problem}\n`);
    return 1;
  }
  const runs = summarizeLogDir(logdir);
  process.stdout.write(`${formatSummary(runs)}\n`);
  return runs.some((r) => r.errors.some((e) => e.problem !== 'truncated')) ? 1 : 0;
}

const cli: LocalReadCli = {
  program: 'metrics-tensorboard',
  usage: USAGE,
  help: HELP,
  dirOption: 'logdir',
  defaultDir: () => '.',
  notADirectoryHint: NOT_A_LOGDIR,
  reader: createTensorBoardReader,
  commands: { inspect },
};

runLocalReadCli(cli, process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
