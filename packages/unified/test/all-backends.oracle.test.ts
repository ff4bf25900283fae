// End to end through the facade to all three built-in backends at once, checked with the real tools:
// TensorBoard's EventAccumulator, the real MLflow server (REST + its Python client), wandb's own reader.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureVenv, runPython, allBackendsOptions } from '@metrics/oracle';
import { useMlflowServer } from '@metrics/oracle/vitest';
import { spawnSync } from 'node:child_process';
import { createExperimentTracker } from '../src/index.js';

const server = useMlflowServer();

const STEPS = 60;
const loss = (s: number) => 1 / (s + 1);

describe('facade → TensorBoard + MLflow + W&B, read back by the real tools', () => {
  it('every backend holds the same conventional metrics with the same values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unified-e2e-'));
    const tracker = await createExperimentTracker({
      experiment: 'unified-e2e',
      runName: 'all-three',
      ...allBackendsOptions(dir, server.url),
      experimentLoggingInterval: 1,
      logLevel: 'warn',
      env: {},
    });
    expect(tracker.backends).toEqual(['tensorboard', 'mlflow', 'wandb']);
    tracker.logHyperparams({ lr: 0.1, optimizer: 'sgd' }, { metrics: ['training/loss'] });
    for (let step = 0; step < STEPS; step++) tracker.logTrainingMetrics(Math.floor(step / 20), step, { loss: loss(step) });
    tracker.log({ 'validation/accuracy': 0.5 }, { step: 30 }); // a lower step after higher ones: nothing may be lost
    await tracker.close();
    const stats = tracker.stats();
    for (const e of stats.exporters) expect(e, e.name).toMatchObject({ failed: 0, dropped: 0 });

    // TensorBoard, Python loader
    const tbDir = tracker.runHandle().runIds.tensorboard!.logDir!;
    const tb = (await runPython(
      `import sys, json
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1], size_guidance={'scalars': 0, 'tensors': 0}); acc.Reload()
out = {}
for t in acc.Tags()['tensors']:
    from tensorboard.util import tensor_util
    out[t] = [[e.step, float(tensor_util.make_ndarray(e.tensor_proto))] for e in acc.Tensors(t) if tensor_util.make_ndarray(e.tensor_proto).size == 1]
for t in acc.Tags()['scalars']:
    out[t] = [[e.step, e.value] for e in acc.Scalars(t)]
print(json.dumps(out))`,
      { args: [tbDir] },
    )) as Record<string, [number, number][]>;
    expect(tb['training/loss']!.map(([s]) => s)).toEqual(Array.from({ length: STEPS }, (_, i) => i));
    tb['training/loss']!.forEach(([s, v]) => expect(v).toBeCloseTo(Math.fround(loss(s)), 6));
    expect(tb['validation/accuracy']).toEqual([[30, 0.5]]);

    // MLflow, the real server through its Python client
    const mlflowRunId = tracker.runHandle().runIds.mlflow!.runId!;
    const ml = (await runPython(
      `import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
r = c.get_run(sys.argv[2])
h = c.get_metric_history(sys.argv[2], 'training/loss')
acc = c.get_metric_history(sys.argv[2], 'validation/accuracy')
print(json.dumps({'status': r.info.status, 'params': r.data.params, 'loss': sorted([[m.step, m.value] for m in h]), 'acc': [[m.step, m.value] for m in acc]}))`,
      { args: [server.url, mlflowRunId] },
    )) as { status: string; params: Record<string, string>; loss: [number, number][]; acc: [number, number][] };
    expect(ml.status).toBe('FINISHED');
    expect(ml.params).toMatchObject({ lr: '0.1', optimizer: 'sgd' });
    expect(ml.loss).toEqual(Array.from({ length: STEPS }, (_, s) => [s, loss(s)]));
    expect(ml.acc).toEqual([[30, 0.5]]);

    // W&B: wandb's own Go reader on the offline run file
    const venv = await ensureVenv();
    const wandbRoot = join(dir, 'wandb');
    const runDir = readdirSync(wandbRoot).find((d) => d.startsWith('offline-run-'))!;
    const file = readdirSync(join(wandbRoot, runDir)).find((f) => f.endsWith('.wandb'))!;
    const inspect = spawnSync(venv.bin('wandb'), ['leet', 'inspect', '--json', join(wandbRoot, runDir, file)], {
      encoding: 'utf8',
      env: venv.env,
      timeout: 120_000,
    });
    expect(inspect.status, inspect.stderr).toBe(0);
    const rows = inspect.stdout
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l.replace(/:(-?Infinity|NaN)([,}])/g, ':"$1"$2')) as { type: string; [k: string]: unknown })
      .filter((r) => r.type === 'history');
    const text = JSON.stringify(rows);
    for (const s of [0, 1, 59]) expect(text).toContain(String(loss(s)));
    expect(text).toContain('validation/accuracy');
    expect(rows.length).toBeGreaterThanOrEqual(STEPS);
  }, 240_000);
});
