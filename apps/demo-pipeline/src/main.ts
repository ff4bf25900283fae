import { resolve } from 'node:path';
import { createLogger } from '@metrics/core';
import { parseCli, USAGE, UsageError } from './cli.js';
import { runPipeline } from './pipeline.js';
import { createProgress, silentProgress } from './progress.js';
import { formatSummary, userCwd } from './report.js';

async function main(argv: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`❌ ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const progress = cli.quiet ? silentProgress : createProgress(process.stderr);
  const result = await runPipeline({
    epochs: cli.epochs,
    seed: cli.seed,
    out: resolve(userCwd(), cli.out),
    backends: cli.backends,
    model: cli.model,
    runName: cli.runName,
    progress,
    logger: cli.quiet ? createLogger({ level: 'warn' }) : undefined,
  });
  progress.end();
  if (!cli.quiet) process.stderr.write(`\nProfiler report (bottlenecks first):\n${result.bottleneckReport}\n\n`);
  process.stdout.write(`${formatSummary(result)}\n`);
  const failed = result.stats.exporters.filter((s) => s.failed > 0 || s.dropped > 0);
  if (failed.length > 0) {
    process.stderr.write(
      `❌ ${failed.map((s) => `${s.name}: ${s.failed} failed, ${s.dropped} dropped${s.lastError ? ` (${s.lastError})` : ''}`).join('; ')}\n`,
    );
    return 1;
  }
  if (result.registrationError) return 1;
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`❌ demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
