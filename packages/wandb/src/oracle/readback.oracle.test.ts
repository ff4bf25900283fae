/**
 * WandbReader on offline runs our tracker wrote, cross-checked with wandb's own transaction-log reader
 * (`wandb leet inspect`): run ids, names, tags, config, exit codes and every history point.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWandbReader, createWandbTracker, type WandbRun } from '../index.js';
import { runPython } from '@metrics/oracle';
import { leetInspect } from './tools.js';

let dir: string;
const open = (runId: string, runName: string) =>
  createWandbTracker({ mode: 'offline', dir, project: 'readback', runId, runName, handleExit: false, logLevel: 'silent', env: {} });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wandb-readback-'));
  const a = open('runa0001', 'baseline');
  a.logHyperparams({ lr: 0.1, optimizer: 'adam' });
  a.setTags({ team: 'vision', seed: '' });
  for (let step = 0; step < 30; step++) a.log({ 'training/loss': 1 / (step + 1), 'training/accuracy': step / 30 }, { step: step * 2 });
  a.log({ 'validation/loss': 0.5 }, { step: 58 });
  await a.close();
  const b = open('runb0002', 'diverged');
  b.log({ 'training/loss': 3 }, { step: 0 });
  await b.fail(new Error('nan loss'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WandbReader', () => {
  it('agrees with `wandb leet inspect` on the runs and every history point', async () => {
    const reader = createWandbReader(dir);
    const runs = await reader.listRuns();
    expect(runs.map((r) => [r.id, r.name, r.status, r.mode])).toEqual([
      ['runa0001', 'baseline', 'finished', 'offline'],
      ['runb0002', 'diverged', 'failed', 'offline'],
    ]);
    const a = runs[0] as WandbRun;
    expect(a).toMatchObject({ params: { lr: '0.1', optimizer: 'adam' }, tags: { team: 'vision', seed: '' }, project: 'readback', exitCode: 0, damaged: 0 });
    expect(a.latestMetrics).toEqual({ 'training/accuracy': 29 / 30, 'training/loss': 1 / 30, 'validation/loss': 0.5 });

    for (const run of runs) {
      const { records, run: tool } = await leetInspect(run.dir);
      expect(tool.code, tool.stderr).toBe(0);
      const runRecords = records.filter((r) => r.type === 'run').map((r) => r.run as { run_id: string; display_name: string; tags?: string[] });
      expect(runRecords.at(-1)).toMatchObject({ run_id: run.id, display_name: run.name });
      expect(records.find((r) => r.type === 'exit')?.exit).toMatchObject(run.exitCode ? { exit_code: run.exitCode } : {});
      // leet prints a history row as { item: { key: value } }; the step column is global_step.
      const expected = new Map<string, [number, number, number][]>();
      for (const r of records.filter((x) => x.type === 'history')) {
        const row = (r.history as { item: Record<string, number> }).item;
        for (const [key, value] of Object.entries(row))
          if (!key.startsWith('_') && key !== 'global_step')
            (expected.get(key) ?? expected.set(key, []).get(key)!).push([row.global_step!, value, Math.round(row._timestamp! * 1000)]);
      }
      expect(Object.keys(await reader.runMetricHistories(run.id)).sort()).toEqual([...expected.keys()].sort());
      for (const [key, points] of expected) {
        const ours = await reader.getMetricHistory(run.id, key);
        expect(ours.map((p) => [p.step, p.value, p.timestamp])).toEqual(points);
      }
    }
    const leetTags = (await leetInspect(a.dir)).records
      .filter((r) => r.type === 'run')
      .map((r) => (r.run as { tags?: string[] }).tags)
      .at(-1);
    expect(leetTags).toEqual(['team:vision', 'seed']);
  }, 300_000);

  it('finds a run by id, directory or name, selects metrics, and names the closest run or metric when one is wrong', async () => {
    const reader = createWandbReader(join(dir, 'wandb'));
    const [a] = await reader.listRuns();
    expect((await reader.getRun('baseline')).id).toBe('runa0001');
    expect((await reader.getRun(a!.dir.split(/[/\\]/).at(-1)!)).id).toBe('runa0001');
    expect(Object.keys(await reader.runMetrics('runa0001', { category: 'validation' }))).toEqual(['validation/loss']);
    expect((await reader.metricHistory('runa0001', 'training/loss')).map((p) => p.step).slice(0, 3)).toEqual([0, 2, 4]);
    await expect(reader.getRun('baselin')).rejects.toThrow(/no W&B run "baselin" in .*; did you mean `baseline`\?/);
    await expect(reader.getMetricHistory('runa0001', 'training/los')).rejects.toThrow('did you mean `training/loss`?');
  });

  it('reads a run the Python wandb SDK wrote offline (its config, tags, exit and history by _step)', async () => {
    const pyDir = mkdtempSync(join(tmpdir(), 'wandb-readback-py-'));
    try {
      await runPython(
        `import sys, json
import wandb
r = wandb.init(mode='offline', dir=sys.argv[1], project='p', id='pyrun001', name='from python', group='cv', job_type='fold',
               config={'lr': 0.1, 'opt': 'sgd'}, tags=['baseline', 'seed:3'])
for s in range(10):
    r.log({'training/loss': 1 / (s + 1), 'training/acc': s / 10}, step=s * 3)
r.finish()
print(json.dumps(True))`,
        { args: [pyDir], env: { HOME: pyDir, WANDB_CONFIG_DIR: pyDir, WANDB_SILENT: 'true' }, timeoutMs: 180_000 },
      );
      const reader = createWandbReader(pyDir);
      const [run, ...others] = await reader.listRuns();
      expect(others).toEqual([]);
      expect(run).toMatchObject({
        id: 'pyrun001',
        name: 'from python',
        status: 'finished',
        exitCode: 0,
        project: 'p',
        group: 'cv',
        jobType: 'fold',
        damaged: 0,
      });
      expect(run!.params).toEqual({ lr: '0.1', opt: 'sgd' });
      expect(run!.tags).toEqual({ baseline: '', seed: '3' });
      expect(run!.latestMetrics).toEqual({ 'training/acc': 0.9, 'training/loss': 0.1 });
      const loss = await reader.getMetricHistory('from python', 'training/loss');
      expect(loss.map((p) => [p.step, p.value])).toEqual(Array.from({ length: 10 }, (_, s) => [s * 3, 1 / (s + 1)]));
      expect(loss.every((p) => p.timestamp >= run!.startTime!)).toBe(true);
    } finally {
      rmSync(pyDir, { recursive: true, force: true });
    }
  }, 300_000);
});
