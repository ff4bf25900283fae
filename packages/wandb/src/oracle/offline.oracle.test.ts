import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import type { TrackingRecord } from '@metrics/core/backend';
import { ensureVenv } from '@metrics/oracle';
import { createWandbExporter } from '../exporter.js';
import { itemsToObject, readWandbFile } from '../log/records.js';
import type { OfflineNative } from '../offline/offline-exporter.js';
import { leetInspect } from './tools.js';

// A whole second, shortly before now (the exit runtime is measured to the real end of the run).
const T0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
const silent = createLogger({ level: 'silent' });

function normalise(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)));
}

/** A run written through the exporter in known batches, so the expected records are exact. */
async function writeRun(
  dir: string,
  outcome: Parameters<ReturnType<typeof createWandbExporter>['shutdown']>[0] = { status: 'finished' },
  extra: TrackingRecord[] = [],
) {
  const exporter = createWandbExporter({ mode: 'offline', dir, runId: 'oracle01', project: 'oracle-proj', logger: silent, env: {} });
  expect(await exporter.start({ experiment: 'ignored', runName: 'oracle run', group: 'g1', tags: { seed: '1', baseline: '' }, startTime: T0 })).toEqual({
    ok: true,
  });
  const batches: TrackingRecord[][] = [
    [
      { kind: 'config', wallTime: T0, config: { lr: 0.01, layers: [8, 4], optimizer: { name: 'sgd' } } },
      { kind: 'hparams', wallTime: T0, params: { batch_size: 32 }, metrics: [] },
      { kind: 'scalar', name: 'training/loss', value: 1, step: 0, wallTime: T0 + 1000 },
      { kind: 'scalar', name: 'training/accuracy', value: 0.1, step: 0, wallTime: T0 + 1000 },
      { kind: 'scalar', name: 'training/loss', value: 0.5, step: 10, wallTime: T0 + 2000 },
    ],
    [
      { kind: 'scalar', name: 'training/loss', value: 0.25, step: 20, wallTime: T0 + 3000 },
      // A validation point for an EARLIER step: W&B would drop it as _step; we keep it.
      { kind: 'scalar', name: 'validation/loss', value: 0.75, step: 10, wallTime: T0 + 3500 },
      { kind: 'scalar', name: 'training/odd', value: Number.NaN, step: 21, wallTime: T0 + 4000 },
      { kind: 'scalar', name: 'system/cpu', value: 12.5, step: 21, wallTime: T0 + 4000 },
      { kind: 'histogram', name: 'model/weights', values: [0, 1, 1, 2], step: 21, wallTime: T0 + 4000 },
      { kind: 'text', name: 'model/notes', text: 'hello *world*', step: 21, wallTime: T0 + 4000 },
      { kind: 'summary', wallTime: T0 + 5000, values: { 'evaluation/verdict': 'ok' } },
    ],
    extra,
  ];
  for (const b of batches) expect(await exporter.export(b)).toEqual({ ok: true });
  await exporter.shutdown(outcome);
  const native = exporter.native() as OfflineNative;
  return { runDir: native.runDir!, file: native.wandbFile! };
}

// The real tools' virtualenv is built (minutes, first use only) in a hook with a long timeout; the tests fail loudly without it.
beforeAll(() => ensureVenv(), 900_000);

describe('offline .wandb files read by the real wandb (`wandb leet inspect`, its Go reader)', () => {
  it('reads every record, in order, with the values we logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-oracle-'));
    const { runDir, file } = await writeRun(dir);
    expect(runDir).toMatch(/[/\\]wandb[/\\]offline-run-\d{8}_\d{6}-oracle01$/);
    expect(readdirSync(join(runDir, 'files')).sort()).toEqual(['config.yaml', 'wandb-metadata.json', 'wandb-summary.json']);

    const { records, run } = await leetInspect(runDir);
    expect(run.code, run.stderr).toBe(0);
    const ours = readWandbFile(file);
    expect(ours.damage).toEqual([]);
    expect(records.map((r) => r.type)).toEqual([
      'header',
      'run',
      'metric',
      'metric',
      'config',
      'history',
      'history',
      'summary', // batch 1
      'stats',
      'history',
      'history',
      'history',
      'summary', // batch 2
      'summary',
      'exit',
      'final', // shutdown
    ]);
    expect(records.map((r) => r.num)).toEqual(records.map((_, i) => i + 1));
    expect(ours.records.map((r) => [r.num, r.type])).toEqual(records.map((r) => [r.num, r.type]));

    const byType = (t: string) => records.filter((r) => r.type === t);
    const runRec = byType('run')[0]!.run as Record<string, unknown>;
    expect(runRec).toMatchObject({ run_id: 'oracle01', project: 'oracle-proj', display_name: 'oracle run', run_group: 'g1', tags: ['seed:1', 'baseline'] });
    expect(runRec.start_time).toBe(new Date(T0).toISOString().replace('.000Z', 'Z'));
    expect(byType('metric').map((r) => r.metric)).toEqual([
      { name: 'global_step', options: { defined: true } },
      { glob_name: '*', step_metric: 'global_step', options: { defined: true, step_sync: true } },
    ]);
    expect((byType('config')[0]!.config as { update: unknown }).update).toEqual({ lr: 0.01, layers: [8, 4], optimizer: { name: 'sgd' }, batch_size: 32 });

    const rows = byType('history').map((r) => normalise((r.history as { item: unknown }).item) as Record<string, unknown>);
    expect(rows.map((r) => [r._step, r.global_step])).toEqual([
      [0, 0],
      [1, 10],
      [2, 20],
      [3, 10],
      [4, 21],
    ]);
    expect(rows[0]).toEqual({ 'training/loss': 1, 'training/accuracy': 0.1, global_step: 0, _step: 0, _runtime: 1, _timestamp: (T0 + 1000) / 1000 });
    expect(rows[1]).toMatchObject({ 'training/loss': 0.5, _runtime: 2 });
    expect(rows[3]).toMatchObject({ 'validation/loss': 0.75, global_step: 10, _step: 3 });
    const at21 = Object.assign({}, ...rows.filter((r) => r.global_step === 21)) as Record<string, unknown>;
    expect(at21['training/odd']).toBe('NaN');
    expect(at21['model/weights']).toMatchObject({ _type: 'histogram', values: expect.any(Array), bins: expect.any(Array) });
    expect(at21['model/notes']).toBe('hello *world*');
    // Every history row read by wandb equals what our reader decodes.
    const ourRows = ours.records.filter((r) => r.type === 'history').map((r) => normalise(itemsToObject(r.data.item)));
    expect(ourRows).toEqual(rows);

    const stats = byType('stats')[0]!.stats as { item: Record<string, unknown> };
    expect(stats.item).toEqual({ 'system.cpu': 12.5 });
    const finalSummary = (byType('summary').at(-1)!.summary as { update: Record<string, unknown> }).update;
    expect(normalise(finalSummary)).toMatchObject({
      'training/loss': 0.25,
      'validation/loss': 0.75,
      'evaluation/verdict': 'ok',
      'training/odd': 'NaN',
      _step: 4,
      global_step: 21,
    });
    expect(finalSummary['_wandb.runtime']).toBeGreaterThanOrEqual(60);
    expect(byType('exit')[0]!.exit).toMatchObject({ runtime: expect.any(Number) });
    expect((byType('exit')[0]!.exit as { exit_code?: number }).exit_code ?? 0).toBe(0);
    expect(JSON.parse(readFileSync(join(runDir, 'files', 'wandb-summary.json'), 'utf8').replace(/NaN/g, 'null'))).toMatchObject({
      'training/loss': 0.25,
      _wandb: { runtime: finalSummary['_wandb.runtime'] },
    });
    expect(readFileSync(join(runDir, 'files', 'config.yaml'), 'utf8')).toContain('"lr":\n  value: 0.01\n');
  }, 300_000);

  it('records the exit code of a failed run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-oracle-'));
    const { runDir } = await writeRun(dir, { status: 'failed', exitCode: 3 });
    const { records } = await leetInspect(runDir);
    expect(records.find((r) => r.type === 'exit')!.exit).toMatchObject({ exit_code: 3, runtime: expect.any(Number) });
    expect(records.at(-1)!.type).toBe('final');
  }, 300_000);

  it('reads records spanning several 32 KiB blocks, byte-exact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-oracle-'));
    const big = 'x'.repeat(100_000) + 'é';
    const { runDir, file } = await writeRun(dir, { status: 'finished' }, [
      { kind: 'config', wallTime: T0 + 6000, config: { blob: big } },
      { kind: 'text', name: 'model/long', text: big.slice(0, 70_000), step: 30, wallTime: T0 + 6000 },
    ]);
    expect(statSync(file).size).toBeGreaterThan(3 * 32_768);
    const { records, run } = await leetInspect(runDir);
    expect(run.code, run.stderr).toBe(0);
    const configs = records.filter((r) => r.type === 'config').map((r) => (r.config as { update: Record<string, unknown> }).update);
    expect(configs.at(-1)).toEqual({ blob: big });
    const last = records.filter((r) => r.type === 'history').at(-1)!.history as { item: Record<string, unknown> };
    expect(last.item['model/long']).toBe(big.slice(0, 70_000));
    expect(records.at(-1)!.type).toBe('final');
  }, 300_000);

  it('reads a file cut mid-record (a crash) up to the last complete record, as our reader does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-oracle-'));
    const { file } = await writeRun(dir);
    const whole = readFileSync(file);
    const crashedDir = join(dir, 'wandb', 'offline-run-20260102_030405-crashed1');
    mkdirSync(crashedDir, { recursive: true });
    const crashed = join(crashedDir, 'run-crashed1.wandb');
    writeFileSync(crashed, whole.subarray(0, whole.length - 5));
    const ours = readWandbFile(crashed);
    expect(ours.truncated).toBe(true);
    expect(ours.damage.length).toBeGreaterThan(0);
    const { records } = await leetInspect(crashed);
    expect(records.map((r) => r.type)).toEqual(ours.records.map((r) => r.type));
    expect(records.at(-1)!.type).toBe('exit'); // everything but the torn `final`
  }, 300_000);
});
