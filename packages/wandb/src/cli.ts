#!/usr/bin/env node
import { statSync } from 'node:fs';
import { parseCommandLine, READ_COMMAND_OPTIONS, READ_COMMANDS_HELP, runReadCommand, UsageError } from '@metrics/core/backend';
import { createWandbReader } from './read/runs.js';

const USAGE = `Usage: metrics-wandb runs [--dir DIR]
       metrics-wandb history <run> <metric> [--sparkline [--width N]] [--dir DIR]
       metrics-wandb --help`;

const HELP = `metrics-wandb — read W&B runs from their local directories (offline runs and online runs' logs) without Python.

${USAGE}

Commands:
${READ_COMMANDS_HELP}
                             <run> is the run id, its directory name, or a display name that one run has

Options:
  --dir <dir>                where the runs are: the directory holding wandb/ (as WANDB_DIR or the tracker's
                             dir option) or the wandb/ directory itself (default: WANDB_DIR, else the current directory)
  -h, --help                 show this help

Exit codes: 0 read, 1 a directory that cannot be read or an unknown run or metric, 2 bad usage.
`;

const OPTIONS = { dir: { type: 'string' }, ...READ_COMMAND_OPTIONS, help: { type: 'boolean', short: 'h' } } as const;

interface Values {
  dir?: string;
  sparkline?: boolean;
  width?: string;
  help?: boolean;
}

function unreadable(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : `${path} is not a directory`;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'ENOENT' ? `${path}: no such file or directory` : `${path}: ${code ?? (error as Error).message}`;
  }
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
    if (command !== 'runs' && command !== 'history') throw new UsageError(`unknown command "${command}"`);
    const dir = values.dir ?? (process.env.WANDB_DIR || '.');
    const problem = unreadable(dir);
    if (problem) {
      process.stderr.write(`metrics-wandb: ${problem}\n`);
      return 1;
    }
    process.stdout.write(`${await runReadCommand(createWandbReader(dir), command, args, values)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`metrics-wandb: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`metrics-wandb: ${(error as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
