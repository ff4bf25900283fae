#!/usr/bin/env node
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatSummary, summarizeLogDir } from './reader/index.js';

const USAGE = `Usage: metrics-tensorboard inspect <logdir>
       metrics-tensorboard --help`;

const HELP = `metrics-tensorboard — read TensorBoard event files without TensorFlow.

${USAGE}

Commands:
  inspect <logdir>   list every run under <logdir> (directories holding *tfevents* files), each tag with its
                     kind, count, step range and last value, and any damaged record (both CRCs are checked)

Options:
  -h, --help         show this help

Exit codes: 0 read, 1 a path that cannot be read or a damaged file (a truncated last record is not damage:
a running writer leaves one), 2 bad usage.
`;

class UsageError extends Error {}

function parse(argv: string[]): { help: true } | { help: false; logdir: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { help: true };
  const [command, logdir, ...extra] = positionals;
  if (command === undefined) throw new UsageError('no command given');
  if (command !== 'inspect') throw new UsageError(`unknown command "${command}"`);
  if (logdir === undefined) throw new UsageError('inspect needs the log directory');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (inspect takes one log directory)`);
  return { help: false, logdir };
}

/** Why `path` cannot be inspected, or undefined when it is a readable directory. */
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

function main(argv: string[]): number {
  let args;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`metrics-tensorboard: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const problem = unreadable(args.logdir);
  if (problem) {
    process.stderr.write(`metrics-tensorboard: ${problem}\n`);
    return 1;
  }
  const runs = summarizeLogDir(args.logdir);
  process.stdout.write(formatSummary(runs) + '\n');
  return runs.some((r) => r.errors.some((e) => e.problem !== 'truncated')) ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
