// The built `metrics-mlflow` bin, run as a user runs it, reading runs our tracker logged to a real `mlflow server`.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBuiltBin } from '@metrics/oracle';
import { useMlflowServer } from '@metrics/oracle/vitest';
import { createMlflowTracker } from '../src/index.js';

const server = useMlflowServer();
const packageDir = join(import.meta.dirname, '..');
const cli = (...args: string[]) => runBuiltBin(packageDir, 'metrics-mlflow', args, { env: { ...process.env, MLFLOW_TRACKING_URI: server.url } });
let runId = '';

beforeAll(async () => {
  const tracker = createMlflowTracker({ trackingUri: server.url, experiment: 'cli', runName: 'curve', handleExit: false, logLevel: 'silent', env: {} });
  tracker.logHyperparams({ lr: 0.1 });
  for (let step = 0; step < 8; step++) tracker.log({ 'training/loss': step === 5 ? Number.NaN : 8 - step }, { step });
  await tracker.flush();
  runId = tracker.runHandle().runIds.mlflow!.runId!;
  await tracker.close();
}, 120_000);

describe('metrics-mlflow runs / history', { timeout: 120_000 }, () => {
  it('lists the runs of an experiment as a table', () => {
    const r = cli('runs', '--experiment', 'cli');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+name\s+status\s+started\s+params\s+tags\s+metrics$/);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(new RegExp(`^${runId}\\s+curve\\s+finished\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+1\\s+1\\s+1$`));
    // Without --experiment: every active experiment.
    expect(cli('runs').stdout).toContain(runId);
    expect(cli('runs', '--experiment', 'cli', '--filter', 'metrics.`training/loss` > 100').stdout.trim()).toBe('No runs found.');
  });

  it("prints a metric's history by run name or id, as a table or a sparkline", () => {
    const table = cli('history', 'curve', 'training/loss');
    expect(table.status, table.stderr).toBe(0);
    const rows = table.stdout.trimEnd().split('\n').slice(2);
    // The tracker skips NaN by default (nonFinite 'skip'), so step 5 is absent.
    expect(rows.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(['0 8', '1 7', '2 6', '3 5', '4 4', '6 2', '7 1']);
    const spark = cli('history', runId, 'training/loss', '--sparkline', '--width', '7');
    expect(spark.status, spark.stderr).toBe(0);
    expect(spark.stdout).toBe('training/loss  █▇▆▅▄▂▁\n7 points, steps 0..7, min 1  max 8, last 1\n');
  });

  it('names the right flag, run or metric when one is wrong', () => {
    const flag = cli('history', 'curve', 'training/loss', '--sparklin');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/^metrics-mlflow: unknown option --sparklin; did you mean `--sparkline`\?\n\nUsage: /);
    const run = cli('history', 'curv', 'training/loss');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no MLflow run with the id or name "curv"; did you mean `curve`?');
    const metric = cli('history', 'curve', 'training/los');
    expect(metric.status).toBe(1);
    expect(metric.stderr).toContain('did you mean `training/loss`?');
    const experiment = cli('runs', '--experimnt', 'cli');
    expect(experiment.stderr).toContain('did you mean `--experiment`?');
  });
});
