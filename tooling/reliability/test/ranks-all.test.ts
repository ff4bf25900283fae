/**
 * A job of 8 ranks with `rankGating: 'all'`, 8 processes logging at once through the facade: on MLflow one
 * parent run with a child run per rank, on TensorBoard a directory per rank, on W&B one run per rank in one
 * group. Rank 3 is SIGKILLed halfway and restarted from its saved run handle: it resumes its own child run.
 * Read back with the MLflow Python client and TensorBoard's EventAccumulator.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPython, startMlflowServer, type MlflowServer } from '@metrics/oracle';
import type { RunHandle } from '@metrics/core';
import { lastJsonLine, removeTempDirs, runChild, tempDir } from './support/faults-children.js';
import { mlflowSetup } from './support/faults-mlflow.js';
import { leetInspect } from './support/faults-readers.js';

const RANKS = 8;
const STEPS = 400;
const RESTARTED = 3;
const SETUP = mlflowSetup({ store: 'sqlite', workers: 1 });

let server: MlflowServer;
beforeAll(async () => {
  server = await startMlflowServer({ store: SETUP.store, workers: SETUP.workers });
});
afterAll(async () => {
  removeTempDirs();
  await server?.stop();
});

describe(`rankGating 'all': ${RANKS} processes of one job (MLflow ${SETUP.label})`, () => {
  it('one MLflow parent run with a child per rank, a TensorBoard directory and a W&B run per rank; a restarted rank resumes its child', async () => {
    const dir = tempDir('rel-ranks-');
    const handleFile = join(dir, `rank${RESTARTED}.handle.json`);
    const rank = (r: number, mode: 'full' | 'die' | 'resume') =>
      runChild('rank-writer.ts', [server.url, dir, String(r), String(STEPS), mode, String(STEPS / 2), handleFile]);
    const runs = await Promise.all(
      Array.from({ length: RANKS }, async (_, r) => {
        if (r !== RESTARTED) return rank(r, 'full');
        const died = await rank(r, 'die');
        expect(died.signal, died.stderr).toBe('SIGKILL');
        return rank(r, 'resume');
      }),
    );
    const out = runs.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return lastJsonLine<{ rank: number; handle: RunHandle; failed: number }>(r.stdout);
    });
    for (const o of out) expect(o.failed).toBe(0);
    const childIds = out.map((o) => o.handle.runIds.mlflow!.runId!);
    expect(new Set(childIds).size).toBe(RANKS);

    const ml = await runPython<{ runs: { id: string; name: string; parent: string | null; status: string; steps: number; wrong: number }[] }>(
      String.raw`
import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
exp = c.get_experiment_by_name('ranks')
runs = []
for r in c.search_runs([exp.experiment_id], max_results=100):
    hist = c.get_metric_history(r.info.run_id, 'training/loss')
    rank = r.data.tags.get('rank')
    wrong = sum(1 for m in hist if rank is None or m.value != int(rank) * 1e6 + m.step)
    runs.append({'id': r.info.run_id, 'name': r.info.run_name, 'parent': r.data.tags.get('mlflow.parentRunId'), 'status': r.info.status,
                 'steps': len({m.step for m in hist}) if len(hist) == len({m.step for m in hist}) else -len(hist), 'wrong': wrong if hist else 0})
print(json.dumps({'runs': runs}))`,
      { args: [server.url] },
    );
    const parents = ml.runs.filter((r) => r.parent === null);
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;
    expect(parent).toMatchObject({ name: 'job', steps: 0, status: 'FINISHED' });
    const children = ml.runs.filter((r) => r.parent !== null).sort((a, b) => a.name.localeCompare(b.name));
    expect(children.map((c) => c.name)).toEqual(Array.from({ length: RANKS }, (_, r) => `job-rank${r}`));
    for (const c of children) expect(c).toMatchObject({ parent: parent.id, status: 'FINISHED', steps: STEPS, wrong: 0 });
    expect(children[RESTARTED]!.id).toBe(childIds[RESTARTED]);

    // TensorBoard: a directory per rank; the restarted rank's holds both halves.
    const tbRoot = join(dir, 'tb', 'ranks');
    expect(readdirSync(tbRoot).sort()).toEqual(Array.from({ length: RANKS }, (_, r) => `job-rank${r}`));
    const tbSteps = await runPython<number[]>(
      `import sys, json
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util import tensor_util
acc = EventAccumulator(sys.argv[1], size_guidance={'scalars': 0, 'tensors': 0}); acc.Reload()
tags = acc.Tags()
steps = [e.step for e in acc.Scalars('training/loss')] if 'training/loss' in tags['scalars'] else [e.step for e in acc.Tensors('training/loss')]
print(json.dumps(sorted(steps)))`,
      { args: [join(tbRoot, `job-rank${RESTARTED}`)] },
    );
    expect(tbSteps).toEqual(Array.from({ length: STEPS }, (_, s) => s));

    // W&B: one run per rank, all in the job's group, read by wandb's own reader; the restarted rank kept its run id.
    const wandbIds = out.map((o) => o.handle.runIds.wandb!.runId!);
    expect(new Set(wandbIds).size).toBe(RANKS);
    const wandbRoot = join(dir, 'wandb', 'wandb');
    for (const id of wandbIds) {
      const runDirs = readdirSync(wandbRoot).filter((d) => d.endsWith(`-${id}`));
      expect(runDirs.length, `W&B run ${id}`).toBeGreaterThanOrEqual(1);
      const { records } = await leetInspect(join(wandbRoot, runDirs[0]!, `run-${id}.wandb`));
      const run = records.find((r) => r.type === 'run');
      expect((run?.run as { run_group?: string } | undefined)?.run_group, `W&B run ${id}`).toBe('job');
    }

    console.log(
      `reliability: ${RANKS} ranks, rankGating 'all' — MLflow parent ${parent.id} with ${children.length} children (${STEPS} steps each, rank ${RESTARTED} ` +
        `killed at step ${STEPS / 2} and resumed into its child); ${RANKS} TensorBoard run directories; ${RANKS} W&B runs — held`,
    );
  }, 600_000);
});
