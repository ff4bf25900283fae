#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createLogger } from '@metrics/core';
import { replaySpool } from './replay.js';

const USAGE = `Usage: metrics-mlflow replay <spool-file-or-dir> [--tracking-uri URL]

Sends points that @metrics/mlflow spooled to disk (no server, or an outage) to an MLflow server.
The tracking URI defaults to MLFLOW_TRACKING_URI. A spool file is deleted once all of it was accepted.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'tracking-uri': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals[0] !== 'replay' || !positionals[1]) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const trackingUri = values['tracking-uri'] ?? process.env.MLFLOW_TRACKING_URI;
  if (!trackingUri) {
    console.error('metrics-mlflow: no tracking URI: pass --tracking-uri or set MLFLOW_TRACKING_URI');
    return 2;
  }
  const results = await replaySpool(positionals[1], { trackingUri, logger: createLogger() });
  let failed = 0;
  for (const r of results) {
    if (r.error) failed++;
    console.log(`${r.error ? '❌' : '✅'} ${r.file}: ${r.sent} records sent${r.runId ? ` to run ${r.runId}` : ''}${r.error ? ` — ${r.error}` : ''}`);
  }
  if (results.length === 0) console.log('nothing to replay');
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`metrics-mlflow: ${(error as Error).message}`);
    process.exit(1);
  },
);
