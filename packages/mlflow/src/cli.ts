#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '@metrics/core';
import { replaySpool } from './replay.js';
import { checkTrackingUri } from './tracking-uri.js';

const USAGE = `Usage: metrics-mlflow replay <spool-file-or-dir> [--tracking-uri URL]

Sends points that @metrics/mlflow spooled to disk (no server, or an outage) to an MLflow server.
The tracking URI defaults to MLFLOW_TRACKING_URI. A spool file is deleted once all of it was accepted.`;

/** Bad usage: the problem and the usage on stderr, exit code 2. */
function usageError(problem: string): number {
  console.error(`metrics-mlflow: ${problem}\n\n${USAGE}`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] !== 'replay') return usageError(positionals[0] ? `unknown command "${positionals[0]}"` : 'no command given');
  if (!positionals[1]) return usageError('replay needs a spool file or directory');
  if (positionals.length > 2) return usageError(`unexpected argument "${positionals[2]}"`);
  const path = positionals[1];
  if (!existsSync(path)) {
    console.error(`metrics-mlflow: no spool file or directory at ${path}`);
    return 1;
  }
  const trackingUri = values['tracking-uri'] ?? process.env.MLFLOW_TRACKING_URI;
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

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { 'tracking-uri': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`metrics-mlflow: ${(error as Error).message}`);
    process.exit(1);
  },
);
