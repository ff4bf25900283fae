#!/usr/bin/env node
import { formatSummary, summarizeLogDir } from './reader/index.js';

const USAGE = 'usage: metrics-tensorboard inspect <logdir>';

function main(argv: string[]): number {
  const [command, logdir] = argv;
  if (command !== 'inspect' || !logdir) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  const runs = summarizeLogDir(logdir);
  process.stdout.write(formatSummary(runs) + '\n');
  return runs.some((r) => r.errors.some((e) => e.problem !== 'truncated')) ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
