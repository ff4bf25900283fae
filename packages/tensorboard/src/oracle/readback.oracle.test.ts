/**
 * TensorBoardReader on runs our tracker wrote, cross-checked with TensorBoard's own Python loader
 * (EventMultiplexer over the logdir: run names, scalars, hparams, the tags text).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPython } from '@metrics/oracle';
import type { RunHandle } from '@metrics/core';
import { createTensorBoardTracker } from '../tracker.js';
import { createTensorBoardReader } from '../reader/index.js';

const READ_LOGDIR = String.raw`
import sys, json, math
from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer
from tensorboard.backend.event_processing.event_accumulator import STORE_EVERYTHING_SIZE_GUIDANCE
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util
num = lambda x: 'NaN' if math.isnan(x) else x
m = EventMultiplexer(size_guidance=STORE_EVERYTHING_SIZE_GUIDANCE).AddRunsFromDirectory(sys.argv[1])
m.Reload()
out = {}
for run in sorted(m.Runs()):
    acc = m.GetAccumulator(run)
    scalars = {t: [[e.step, num(e.value), e.wall_time] for e in acc.Scalars(t)] for t in acc.Tags()['scalars']}
    r = {'scalars': scalars, 'params': {}, 'status': None, 'tags': None}
    for t, c in m.PluginRunToTagToContent('hparams').get(run, {}).items():
        d = plugin_data_pb2.HParamsPluginData.FromString(c)
        if d.WhichOneof('data') == 'session_start_info':
            r['params'] = {k: (v.string_value or v.number_value or v.bool_value) for k, v in d.session_start_info.hparams.items()}
        if d.WhichOneof('data') == 'session_end_info':
            r['status'] = d.session_end_info.status
    if 'tags' in acc.Tags()['tensors']:
        r['tags'] = tensor_util.make_ndarray(acc.Tensors('tags')[-1].tensor_proto).item().decode()
    out[run] = r
print(json.dumps(out))
`;

interface PyRun {
  scalars: Record<string, [number, number | string, number][]>;
  params: Record<string, unknown>;
  status: number | null;
  tags: string | null;
}

let logDir: string;
beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'tb-readback-'));
  const a = createTensorBoardTracker({ logDir, experiment: 'exp', runName: 'a', handleExit: false, logLevel: 'silent' });
  a.logHyperparams({ lr: 0.1, optimizer: 'adam' });
  a.setTags({ team: 'vision', 'pipe|name': 'x|y' });
  for (let step = 0; step < 40; step++) a.log({ 'training/loss': 1 / (step + 1), 'training/accuracy': step / 40 }, { step });
  a.log({ 'validation/loss': 0.7 }, { step: 39 });
  a.setTags({ team: 'nlp' });
  await a.close();
  const b = createTensorBoardTracker({ logDir, experiment: 'exp', runName: 'b', handleExit: false, logLevel: 'silent' });
  b.logHyperparams({ lr: 0.01 });
  for (let step = 0; step < 5; step++) b.log({ 'training/loss': 2 - step / 10 }, { step: step * 10 });
  await b.fail(new Error('diverged'));
  // Resumed from a handle taken at step 10: the first attempt's points from step 10 on are hidden.
  const c = createTensorBoardTracker({ logDir, experiment: 'exp', runName: 'c', handleExit: false, logLevel: 'silent' });
  let handle: RunHandle | undefined;
  for (let step = 0; step <= 20; step++) {
    if (step === 10) handle = c.runHandle();
    c.log({ 'training/loss': step }, { step });
  }
  await c.close();
  const resumed = createTensorBoardTracker({ logDir, resume: handle, handleExit: false, logLevel: 'silent' });
  for (let step = 10; step <= 15; step++) resumed.log({ 'training/loss': 1000 + step }, { step });
  await resumed.close();
}, 60_000);
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

describe('TensorBoardReader', () => {
  it("lists the runs with params, tags, status and latest metrics, as TensorBoard's loader sees them", async () => {
    const reader = createTensorBoardReader(logDir);
    const runs = await reader.listRuns();
    const py = await runPython<Record<string, PyRun>>(READ_LOGDIR, { args: [logDir], timeoutMs: 5 * 60_000 });
    expect(runs.map((r) => r.id)).toEqual(Object.keys(py));
    expect(runs.map((r) => r.id)).toEqual(['exp/a', 'exp/b', 'exp/c']);
    const [a, b] = runs;
    expect(a).toMatchObject({ name: 'exp/a', status: 'finished', params: { lr: '0.1', optimizer: 'adam' }, tags: { team: 'nlp', 'pipe|name': 'x|y' } });
    expect(b).toMatchObject({ status: 'failed', params: { lr: '0.01' }, tags: {} });
    expect(py['exp/a']!.status).toBe(1);
    expect(py['exp/b']!.status).toBe(2);
    expect(py['exp/a']!.params).toEqual({ lr: 0.1, optimizer: 'adam' });
    expect(py['exp/a']!.tags).toContain('| team | nlp |');
    expect(a!.latestMetrics).toEqual({ 'training/accuracy': Math.fround(39 / 40), 'training/loss': Math.fround(1 / 40), 'validation/loss': Math.fround(0.7) });
    expect(a!.startTime).toBeGreaterThan(Date.UTC(2020, 0));
    const resumed = await reader.getMetricHistory('exp/c', 'training/loss');
    expect(resumed.map((p) => [p.step, p.value])).toEqual(Array.from({ length: 16 }, (_, s) => [s, s < 10 ? s : 1000 + s]));
    expect(runs[2]!.latestMetrics).toEqual({ 'training/loss': 1015 });
    for (const run of runs)
      for (const [tag, points] of Object.entries(py[run.id]!.scalars)) {
        const ours = await reader.getMetricHistory(run.id, tag);
        expect(ours.map((p) => [p.step, p.value])).toEqual(points.map(([s, v]) => [s, v]));
        expect(ours.map((p) => p.timestamp)).toEqual(points.map(([, , w]) => Math.round(w * 1000)));
      }
  }, 300_000);

  it('selects metrics by prefix, glob or category and names the closest run or tag when one is wrong', async () => {
    const reader = createTensorBoardReader(logDir);
    expect(Object.keys(await reader.runMetrics('exp/a', { category: 'training' }))).toEqual(['training/accuracy', 'training/loss']);
    expect(Object.keys(await reader.runMetricHistories('exp/a', { glob: '*/loss' }))).toEqual(['training/loss', 'validation/loss']);
    expect((await reader.metricHistory('exp/b', 'training/loss')).map((p) => p.step)).toEqual([0, 10, 20, 30, 40]);
    await expect(reader.getMetricHistory('exp/aa', 'training/loss')).rejects.toThrow(/no run "exp\/aa" under .*; did you mean `exp\/a`\?/);
    await expect(reader.getMetricHistory('exp/a', 'training/los')).rejects.toThrow('run "exp/a" has no scalar "training/los"; did you mean `training/loss`?');
  });
});
