/**
 * A training script that crashes (an uncaught exception, an unhandled rejection) 20 ms after logging
 * 500 points through the facade to a real MLflow server, TensorBoard and W&B offline. Node skips
 * `beforeExit` on a crash, so without crash handling the MLflow run is missing or left RUNNING, the W&B
 * run has no exit record and the last batch never reaches the event file. With it: every run ends FAILED
 * with all 500 points, and the process still dies as Node would (the error on stderr, exit code 1) — or,
 * when the program has its own uncaughtException listener, lives on as that listener decides.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowServer, type MlflowServer } from '@metrics/oracle';
import { isPrefixRange, removeTempDirs, runChild, tempDir } from './support/faults-children.js';
import { metricHistory, runInfo } from './support/faults-mlflow.js';
import { eventFileIn, historyRows, leetInspect, loadEventFiles } from './support/faults-readers.js';

const EXPERIMENT = 'reliability-crash-uncaught';
const loss = (step: number) => 1 / (step + 1);

let server: MlflowServer;
beforeAll(async () => {
  server = await startMlflowServer();
});
afterAll(async () => {
  removeTempDirs();
  await server?.stop();
});

/** The id of the MLflow run named `runName`, found the way a user would: search by name. */
async function mlflowRunId(runName: string): Promise<string | undefined> {
  const exp = await fetch(`${server.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${EXPERIMENT}`);
  if (!exp.ok) return undefined;
  const experimentId = ((await exp.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id;
  const res = await fetch(`${server.url}/api/2.0/mlflow/runs/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ experiment_ids: [experimentId], filter: `attributes.run_name = '${runName}'` }),
  });
  const runs = ((await res.json()) as { runs?: { info: { run_id: string } }[] }).runs ?? [];
  return runs[0]?.info.run_id;
}

function wandbRunDir(dir: string): string {
  const base = join(dir, 'wandb');
  const runs = readdirSync(base).filter((d) => d.startsWith('offline-run-'));
  if (runs.length !== 1) throw new Error(`expected one W&B offline run in ${base}, found ${runs.join(', ') || 'none'}`);
  return join(base, runs[0]!);
}

/** What each backend holds after the child is gone. */
async function backendsAfter(dir: string, runName: string) {
  const runId = await mlflowRunId(runName);
  expect(runId, 'the MLflow run exists').toBeDefined();
  const status = (await runInfo(server.url, runId!)).status;
  const ml = await metricHistory(server.url, runId!, 'training/loss');
  const file = eventFileIn(join(dir, 'runs', EXPERIMENT, runName));
  const tb = (await loadEventFiles([file]))[file]!.scalars['training/loss'] ?? [];
  const inspected = await leetInspect(wandbRunDir(dir));
  const exitRecord = inspected.records.find((r) => r.type === 'exit') as { exit: { exit_code?: number } } | undefined;
  const rows = historyRows(inspected.records);
  return { status, ml, tb, inspected, exitCode: exitRecord?.exit.exit_code, rows };
}

async function expectAllFailedWith500(dir: string, runName: string): Promise<string> {
  const b = await backendsAfter(dir, runName);
  expect(b.status).toBe('FAILED');
  expect(b.ml.length).toBe(500);
  expect(b.ml.filter((p) => p.value !== loss(p.step))).toEqual([]);
  expect(b.tb.length).toBe(500);
  expect(isPrefixRange(b.tb.map(([s]) => s))).toBe(true);
  expect(b.inspected.code, b.inspected.stderr).toBe(0);
  expect(b.exitCode).toBe(1);
  expect(b.inspected.records.at(-1)?.type).toBe('final');
  expect(b.rows.length).toBe(500);
  return `MLflow FAILED with ${b.ml.length} points, TensorBoard ${b.tb.length}, W&B ${b.rows.length} rows + exit code ${b.exitCode}`;
}

describe('a crash 20 ms after logging 500 points', () => {
  const what = { throw: 'uncaught exception', reject: 'unhandled rejection', late: 'uncaught exception once the runs exist (RUNNING)' } as const;
  for (const how of ['throw', 'reject', 'late'] as const) {
    it(`${what[how]}: every run ends FAILED with all 500 points; the process dies as Node would`, async () => {
      const dir = tempDir(`rel-crash-${how}-`);
      const runName = `crash-${how}`;
      const r = await runChild('crash-uncaught.ts', [server.url, dir, runName, how]);
      const closedInMs = Date.now() - Number(/CRASH AT (\d+)/.exec(r.stdout)?.[1]);
      expect(r.stdout).toContain('LOGGED 500');
      expect(r.code, r.stderr).toBe(1);
      expect(r.signal).toBeNull();
      const message = how === 'reject' ? 'Error: rejected-after-500 (reject)' : `Error: crashed-after-500 (${how})`;
      expect(r.stderr.split(message).length - 1, r.stderr).toBe(1); // printed once
      expect(r.stderr).toMatch(/\n {4}at /); // the stack, as Node prints it
      expect(r.stderr).toContain(`Node.js ${process.version}`);
      // The facade's last words name the failed run, after the error.
      expect(r.stderr.indexOf('(run failed)')).toBeGreaterThan(r.stderr.indexOf(message));
      const held = await expectAllFailedWith500(dir, runName);
      console.log(
        `reliability: ${how} 20 ms after 500 points — exit 1 with the error on stderr ${closedInMs} ms after the crash (incl. process teardown); ` +
          `${held} — held`,
      );
    }, 180_000);
  }

  it("the program's own uncaughtException listener keeps it alive: runs still end FAILED, exiting is left to the program", async () => {
    const dir = tempDir('rel-crash-user-');
    const runName = 'crash-user-handler';
    const r = await runChild('crash-uncaught.ts', [server.url, dir, runName, 'user-handler']);
    expect(r.stdout).toContain('USER HANDLER crashed-after-500 (user-handler)');
    expect(r.stdout).toContain('STILL ALIVE');
    expect(r.code, r.stderr).toBe(0);
    // We did not print the error as a fatal one: the program handled it.
    expect(r.stderr).not.toContain('Error: crashed-after-500');
    const held = await expectAllFailedWith500(dir, runName);
    console.log(`reliability: own uncaughtException listener — the program lived on and ended with exit code 0; ${held} — held`);
  }, 180_000);
});
