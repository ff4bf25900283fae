#!/usr/bin/env node
import { READ_COMMANDS_HELP, runLocalReadCli, type LocalReadCli } from '@metrics/core/backend';
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

const cli: LocalReadCli = {
  program: 'metrics-wandb',
  usage: USAGE,
  help: HELP,
  dirOption: 'dir',
  defaultDir: () => process.env.WANDB_DIR || '.',
  reader: createWandbReader,
};

runLocalReadCli(cli, process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
