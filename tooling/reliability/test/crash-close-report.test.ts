/**
 * What `close()` says, seen the way a user sees it: a program with the default logger, its stderr and the
 * report close() resolves to. Every backend broken (log and spool directories under a regular file,
 * ENOTDIR even for root) must not end in "✅ All experiment trackers closed"; a mix names what failed and
 * what was spooled; all working prints ✅. The end-of-run summary lists each run's place and the exact
 * commands, and those commands work: `tensorboard --logdir` points at the event file TensorBoard's loader
 * reads, `metrics-mlflow replay` sends the spool to the real MLflow server.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowServer, type MlflowServer } from '@metrics/oracle';
import type { CloseReport } from '@metrics/core';
import { repoDir, removeTempDirs, runChild, tempDir } from './support/faults-children.js';
import { metricHistory, runInfo } from './support/faults-mlflow.js';
import { eventFileIn, loadEventFiles } from './support/faults-readers.js';

let server: MlflowServer;
beforeAll(async () => {
  server = await startMlflowServer();
});
afterAll(async () => {
  removeTempDirs();
  await server?.stop();
});

/** A directory path that can never be created: it goes through a regular file. */
function blocked(root: string, name: string): string {
  const file = join(root, `${name}-is-a-file`);
  writeFileSync(file, 'not a directory');
  return join(file, name);
}

async function closeOf(tb: string, wandb: string, spool: string, mlflowUri = '') {
  const r = await runChild('close-report.ts', [tb, wandb, spool, mlflowUri]);
  expect(r.code, r.stderr).toBe(0);
  const line = /REPORT (.+)\n/.exec(r.stdout);
  expect(line, r.stdout + r.stderr).not.toBeNull();
  return { report: JSON.parse(line![1]!) as CloseReport, stderr: r.stderr };
}

const statusOf = (report: CloseReport) => Object.fromEntries(report.backends.map((b) => [b.name, b.status]));

describe('close() reports what happened', () => {
  it('every backend broken: a ❌ line saying so, no ✅, report.ok false with each error', async () => {
    const root = tempDir('rel-close-broken-');
    const { report, stderr } = await closeOf(blocked(root, 'runs'), blocked(root, 'wandb'), blocked(root, 'spool'));
    expect(statusOf(report)).toEqual({ tensorboard: 'failed', mlflow: 'failed', wandb: 'failed' });
    expect(report.ok).toBe(false);
    for (const b of report.backends) expect(b.error).toMatch(/ENOTDIR/);
    expect(stderr).not.toContain('All experiment trackers closed');
    expect(stderr).toMatch(/❌ Run close-report: every experiment tracker failed, nothing was saved: tensorboard failed .*mlflow failed .*wandb failed/);
    console.log(
      `reliability: all backends unwritable — close line: ${stderr
        .split('\n')
        .find((l) => l.includes('every experiment tracker failed'))
        ?.slice(0, 160)}…`,
    );
  }, 120_000);

  it('W&B broken, MLflow server down (spooled), TensorBoard fine: ⚠️ names them; the printed commands work', async () => {
    const root = tempDir('rel-close-mixed-');
    const tbDir = join(root, 'runs');
    const down = 'http://127.0.0.1:9'; // nothing listens on the discard port
    const { report, stderr } = await closeOf(tbDir, blocked(root, 'wandb'), join(root, 'spool'), down);
    expect(statusOf(report)).toEqual({ tensorboard: 'ok', mlflow: 'spooled', wandb: 'failed' });
    expect(report.ok).toBe(false);
    expect(stderr).not.toContain('✅ All experiment trackers closed');
    expect(stderr).toMatch(/⚠️ Experiment trackers closed with problems: mlflow spooled \(.*spool.*\); wandb failed \(.*ENOTDIR/);

    // TensorBoard: the printed command names the directory holding the event file with all 300 points.
    const tb = report.backends.find((b) => b.name === 'tensorboard')!;
    expect(tb.points).toBe(300);
    const tbCommand = tb.commands?.[0] ?? '';
    expect(stderr).toContain(tbCommand);
    const logdir = /^tensorboard --logdir (\S+)$/.exec(tbCommand)?.[1];
    expect(logdir).toBe(join(tbDir, 'reliability-close-report', 'close-report'));
    const file = eventFileIn(logdir!);
    expect((await loadEventFiles([file]))[file]!.scalars['training/loss']).toHaveLength(300);

    // MLflow: the printed replay command, run as printed (plus the server), creates the run with every point.
    const ml = report.backends.find((b) => b.name === 'mlflow')!;
    const replay = ml.commands?.[0] ?? '';
    expect(stderr).toContain(replay);
    const [, spoolFile, printedUri] = /^metrics-mlflow replay (\S+) --tracking-uri (\S+)$/.exec(replay) ?? [];
    expect(spoolFile, replay).toBeDefined();
    expect(printedUri).toBe(down);
    // Once the server is back (here: the real one at another address), the same command sends everything.
    const r = await runChild(join(repoDir, 'packages/mlflow/src/cli.ts'), ['replay', spoolFile!, '--tracking-uri', server.url]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const runId = /to run (\w+)/.exec(r.stdout)?.[1];
    expect(runId, r.stdout).toBeDefined();
    expect(await metricHistory(server.url, runId!, 'training/loss')).toHaveLength(300);
    console.log(
      `reliability: mixed close — ⚠️ line names mlflow spooled + wandb failed; \`${tbCommand.replace(root, '…')}\` reads 300 points; ` +
        `the printed replay sent 300 points to MLflow — held`,
    );
  }, 180_000);

  it('MLflow with no server configured: spooling is the plan, said without ⚠️; the summary gives the replay command', async () => {
    const root = tempDir('rel-close-offline-');
    const { report, stderr } = await closeOf(join(root, 'runs'), root, join(root, 'spool'));
    expect(statusOf(report)).toEqual({ tensorboard: 'ok', mlflow: 'spooled', wandb: 'ok' });
    expect(report.backends.find((b) => b.name === 'mlflow')).toMatchObject({
      offline: true,
      commands: [expect.stringMatching(/^metrics-mlflow replay \S+\.jsonl$/)],
    });
    expect(stderr).not.toMatch(/⚠️|❌/);
    expect(stderr).toContain('Experiment trackers closed; spooled for a later replay (no server configured): mlflow');
  }, 120_000);

  it('all backends fine: ✅ and a summary with the MLflow run page and the wandb sync command', async () => {
    const root = tempDir('rel-close-ok-');
    const { report, stderr } = await closeOf(join(root, 'runs'), root, join(root, 'spool'), server.url);
    expect(statusOf(report)).toEqual({ tensorboard: 'ok', mlflow: 'ok', wandb: 'ok' });
    expect(report.ok).toBe(true);
    expect(report.backends.map((b) => b.points)).toEqual([300, 300, 300]);
    expect(stderr).toContain('✅ All experiment trackers closed');
    const ml = report.backends.find((b) => b.name === 'mlflow')!;
    const runId = /\/runs\/(\w+)$/.exec(ml.location ?? '')?.[1];
    expect(ml.location).toMatch(new RegExp(`^${server.url}/#/experiments/\\d+/runs/\\w+$`));
    expect((await runInfo(server.url, runId!)).status).toBe('FINISHED');
    const wandb = report.backends.find((b) => b.name === 'wandb')!;
    expect(wandb.commands).toEqual([`wandb sync ${wandb.location}`]);
    expect(wandb.location).toMatch(/offline-run-/);
    for (const b of report.backends) expect(stderr).toContain(`${b.name}: 300 records → ${b.location}`);
  }, 120_000);
});
