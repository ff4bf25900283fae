#!/usr/bin/env node
import { statSync } from 'node:fs';
import { parseCommandLine, READ_COMMAND_OPTIONS, READ_COMMANDS_HELP, runReadCommand, UsageError } from '@metrics/core/backend';
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

const OPTIONS = { logdir: { type: 'string' }, ...READ_COMMAND_OPTIONS, help: { type: 'boolean', short: 'h' } } as const;

interface Values {
  logdir?: string;
  sparkline?: boolean;
  width?: string;
  help?: boolean;
}

/** Why `path` cannot be read as a log directory, or undefined when it is a readable directory. */
function unreadable(path: string): string | undefined {
  try {
    if (!statSync(path).isDirectory()) return `${path} is not a directory (pass the log directory that holds the event files)`;
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return `${path}: no such file or directory`;
    return `${path}: ${code ?? (error as Error).message}`;
  }
}

function inspect(args: string[], values: Values): number {
  const [logdir, ...extra] = args;
  if (values.logdir !== undefined || values.sparkline || values.width !== undefined)
    throw new UsageError('inspect takes the log directory as its argument and no options');
  if (logdir === undefined) throw new UsageError('inspect needs the log directory');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (inspect takes one log directory)`);
  const problem = unreadable(logdir);
  if (problem) {
    process.stderr.write(`metrics-tensorboard: ${problem}\n`);
    return 1;
  }
  const runs = summarizeLogDir(logdir);
  process.stdout.write(`${formatSummary(runs)}\n`);
  return runs.some((r) => r.errors.some((e) => e.problem !== 'truncated')) ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseCommandLine(argv, OPTIONS) as { values: Values; positionals: string[] };
    if (values.help || positionals[0] === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    const [command, ...args] = positionals;
    if (command === undefined) throw new UsageError('no command given');
    if (command === 'inspect') return inspect(args, values);
    if (command !== 'runs' && command !== 'history') throw new UsageError(`unknown command "${command}"`);
    const logdir = values.logdir ?? '.';
    const problem = unreadable(logdir);
    if (problem) {
      process.stderr.write(`metrics-tensorboard: ${problem}\n`);
      return 1;
    }
    process.stdout.write(`${await runReadCommand(createTensorBoardReader(logdir), command, args, values)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`metrics-tensorboard: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`metrics-tensorboard: ${(error as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
