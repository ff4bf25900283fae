// Nested runs as a user writes them (the README's cross-validation loop): three folds, each a child run
// closed by `await using`, the second one throwing. Read back by the real tools: the MLflow Python client
// against a real `mlflow server` (`search_runs` by `tags.mlflow.parentRunId`), TensorBoard's Python loader
// (the children are sub-directories of the parent's run) and wandb's own reader (`wandb leet inspect`) on
// the offline runs (one per fold, in the parent's group, with the job type).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allBackendsOptions, ensureVenv, runPython } from '@metrics/oracle';
import { useMlflowServer } from '@metrics/oracle/vitest';
import { createExperimentTracker, type ExperimentTracker } from '../src/index.js';

const server = useMlflowServer();

const FOLDS = 3;
const EPOCHS = 5;
const FAILING = 1;
const loss = (k: number, epoch: number) => (k + 1) / (epoch + 1);

/** `wandb leet inspect --json`: wandb's own Go reader of a `.wandb` file, one record per line. */
async function leetInspect(file: string): Promise<{ type: string; [k: string]: unknown }[]> {
  const venv = await ensureVenv();
  const inspect = spawnSync(venv.bin('wandb'), ['leet', 'inspect', '--json', file], { encoding: 'utf8', env: venv.env, timeout: 120_000 });
  expect(inspect.status, inspect.stderr).toBe(0);
  return inspect.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l.replace(/:(-?Infinity|NaN)([,}])/g, ':"$1"$2')) as { type: string; [k: string]: unknown });
}

/** One fold's training: what a user's loop does with the child tracker it is given. */
function trainFold(fold: ExperimentTracker, k: number): number {
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    fold.logTrainingMetrics(epoch, epoch, { loss: loss(k, epoch) });
    if (k === FAILING && epoch === 2) throw new Error(`fold ${k} diverged`);
  }
  const accuracy = 0.8 + k / 100;
  fold.log({ 'validation/accuracy': accuracy }, { step: EPOCHS - 1 });
  return accuracy;
}

describe('nested runs: a 3-fold cross-validation, one fold failing, read back by MLflow, TensorBoard and W&B', () => {
  it('the folds are child runs of the study on every backend; the failed fold is FAILED, the study FINISHED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unified-nested-'));
    await using tracker = await createExperimentTracker({
      experiment: 'nested',
      runName: 'cv-study',
      group: 'mnist-cv',
      ...allBackendsOptions(dir, server.url),
      systemMetricsIntervalMs: 0,
      experimentLoggingInterval: 1,
      logLevel: 'warn',
      env: {},
    });
    tracker.logHyperparams({ folds: FOLDS, lr: 0.01 });

    // The README's loop.
    const scores: number[] = [];
    const folds: ExperimentTracker[] = [];
    for (let k = 0; k < FOLDS; k++) {
      await using fold = tracker.child(`fold-${k}`, { jobType: 'fold' });
      folds.push(fold);
      try {
        scores.push(trainFold(fold, k));
      } catch (error) {
        await fold.fail(error); // this fold is FAILED; the study goes on
      }
    }
    tracker.log({ 'validation/mean_accuracy': scores.reduce((a, b) => a + b, 0) / scores.length }, { step: 0 });
    const report = await tracker.close();
    expect(report).toMatchObject({ ok: true, status: 'finished' });
    const parentIds = tracker.runHandle().runIds;

    // MLflow: the children found by search_runs on the parent's id, each with its own metric history.
    const ml = await runPython<{
      parent: { status: string; experiment: string };
      children: { id: string; name: string; status: string; experiment: string; loss: [number, number][]; accuracy: number[]; group: string | null }[];
    }>(
      String.raw`
import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
parent = c.get_run(sys.argv[2])
exp = parent.info.experiment_id
children = []
for r in c.search_runs([exp], filter_string="tags.mlflow.parentRunId = '%s'" % sys.argv[2]):
    rid = r.info.run_id
    children.append({'id': rid, 'name': r.info.run_name, 'status': r.info.status, 'experiment': r.info.experiment_id, 'group': r.data.tags.get('group'),
                     'loss': sorted([[m.step, m.value] for m in c.get_metric_history(rid, 'training/loss')]),
                     'accuracy': [m.value for m in c.get_metric_history(rid, 'validation/accuracy')]})
print(json.dumps({'parent': {'status': parent.info.status, 'experiment': exp}, 'children': sorted(children, key=lambda c: c['name'])}))`,
      { args: [server.url, parentIds.mlflow!.runId!] },
    );
    expect(ml.parent.status).toBe('FINISHED');
    expect(ml.children.map((c) => [c.name, c.status])).toEqual([
      ['fold-0', 'FINISHED'],
      ['fold-1', 'FAILED'],
      ['fold-2', 'FINISHED'],
    ]);
    for (const [k, child] of ml.children.entries()) {
      expect(child.experiment).toBe(ml.parent.experiment);
      expect(child.group).toBe('mnist-cv');
      const epochs = k === FAILING ? 3 : EPOCHS;
      expect(child.loss).toEqual(Array.from({ length: epochs }, (_, e) => [e, loss(k, e)]));
      expect(child.accuracy).toEqual(k === FAILING ? [] : [0.8 + k / 100]);
    }
    // Each fold's run handle names its child run.
    expect(folds.map((f) => f.runHandle().runIds.mlflow!.runId)).toEqual(ml.children.map((c) => c.id));

    // TensorBoard: the loader sees the study and each fold as runs `cv-study` and `cv-study/fold-k`.
    const tbParent = parentIds.tensorboard!.logDir!;
    expect(
      readdirSync(tbParent)
        .filter((f) => !f.startsWith('events.'))
        .sort(),
    ).toEqual(['fold-0', 'fold-1', 'fold-2']);
    const tb = await runPython<Record<string, Record<string, number[]>>>(
      `import sys, json
from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer
from tensorboard.util import tensor_util
m = EventMultiplexer(size_guidance={'scalars': 0, 'tensors': 0}); m.AddRunsFromDirectory(sys.argv[1]); m.Reload()
out = {}
for run, tags in m.Runs().items():
    out[run] = {}
    for t in tags['scalars']: out[run][t] = [e.step for e in m.Scalars(run, t)]
    for t in tags['tensors']: out[run][t] = [e.step for e in m.Tensors(run, t) if tensor_util.make_ndarray(e.tensor_proto).size == 1]
print(json.dumps(out))`,
      { args: [join(tbParent, '..')] },
    );
    expect(Object.keys(tb).sort()).toEqual(['cv-study', 'cv-study/fold-0', 'cv-study/fold-1', 'cv-study/fold-2']);
    expect(tb['cv-study']!['validation/mean_accuracy']).toEqual([0]);
    expect(tb['cv-study']!['training/loss']).toBeUndefined();
    expect(tb['cv-study/fold-0']!['training/loss']).toEqual([0, 1, 2, 3, 4]);
    expect(tb['cv-study/fold-1']!['training/loss']).toEqual([0, 1, 2]);
    expect(tb['cv-study/fold-2']!['validation/accuracy']).toEqual([EPOCHS - 1]);

    // W&B: one offline run per fold, read by wandb's reader: the parent's group, job type `fold`, exit codes.
    const wandbRoot = join(dir, 'wandb');
    const runs = await Promise.all(
      readdirSync(wandbRoot)
        .filter((d) => d.startsWith('offline-run-'))
        .map(async (d) => {
          const file = readdirSync(join(wandbRoot, d)).find((f) => f.endsWith('.wandb'))!;
          const records = await leetInspect(join(wandbRoot, d, file));
          const info = records.find((r) => r.type === 'run')!.run as { display_name?: string; run_group?: string; job_type?: string };
          const exit = records.find((r) => r.type === 'exit')?.exit as { exit_code?: number } | undefined;
          const history = records.filter((r) => r.type === 'history').length;
          return { name: info.display_name, group: info.run_group, jobType: info.job_type ?? '', exitCode: exit?.exit_code ?? 0, history };
        }),
    );
    runs.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(runs.map(({ history: _, ...r }) => r)).toEqual([
      { name: 'cv-study', group: 'mnist-cv', jobType: '', exitCode: 0 },
      { name: 'fold-0', group: 'mnist-cv', jobType: 'fold', exitCode: 0 },
      { name: 'fold-1', group: 'mnist-cv', jobType: 'fold', exitCode: 1 },
      { name: 'fold-2', group: 'mnist-cv', jobType: 'fold', exitCode: 0 },
    ]);
    expect(runs.find((r) => r.name === 'fold-0')!.history).toBeGreaterThanOrEqual(EPOCHS);
  }, 300_000);
});
