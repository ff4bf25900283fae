// Child runs (`tracker.child`) against a real `mlflow server`, read back with the MLflow Python client:
// live (children of a run, found with `search_runs` on `tags.mlflow.parentRunId`), and offline — spooled
// with no server, then replayed — where the children are still nested under their replayed parent.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython } from '@metrics/oracle';
import { useMlflowServer } from '@metrics/oracle/vitest';
import { createLogger } from '@metrics/core';
import { createMlflowTracker, replaySpool } from '../src/index.js';

const server = useMlflowServer();
const silent = createLogger({ level: 'silent' });

interface Family {
  parent: { name: string; status: string; experiment: string };
  children: { id: string; name: string; status: string; experiment: string; fold: string | null; loss: [number, number][] }[];
}

/** The parent run and, by `search_runs` on its id, its children with their `training/loss` histories. */
function family(parentRunId: string): Promise<Family> {
  return runPython<Family>(
    String.raw`
import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
p = c.get_run(sys.argv[2])
children = []
for r in c.search_runs([p.info.experiment_id], filter_string="tags.mlflow.parentRunId = '%s'" % sys.argv[2]):
    h = c.get_metric_history(r.info.run_id, 'training/loss')
    children.append({'id': r.info.run_id, 'name': r.info.run_name, 'status': r.info.status, 'experiment': r.info.experiment_id,
                     'fold': r.data.tags.get('fold'), 'loss': sorted([[m.step, m.value] for m in h])})
print(json.dumps({'parent': {'name': p.info.run_name, 'status': p.info.status, 'experiment': p.info.experiment_id},
                  'children': sorted(children, key=lambda c: c['name'])}))`,
    { args: [server.url, parentRunId] },
  );
}

function logFolds(tracker: ReturnType<typeof createMlflowTracker>) {
  return [0, 1].map((k) => {
    const fold = tracker.child(`fold-${k}`, { tags: { fold: String(k) } });
    for (let step = 0; step < 3; step++) fold.log({ 'training/loss': k + step / 10 }, { step });
    return fold;
  });
}

describe('MLflow child runs', () => {
  it('live: each child is a run of the parent’s experiment tagged mlflow.parentRunId; a failed child leaves the parent FINISHED', async () => {
    const tracker = createMlflowTracker({ trackingUri: server.url, experiment: 'children', runName: 'study', handleExit: false, logger: silent, env: {} });
    const [ok, failed] = logFolds(tracker);
    await failed!.fail(new Error('diverged'));
    await tracker.close(); // closes fold-0 too
    const got = await family(tracker.runHandle().runIds.mlflow!.runId!);
    expect(got.parent).toMatchObject({ name: 'study', status: 'FINISHED' });
    expect(got.children.map((c) => [c.name, c.status, c.fold])).toEqual([
      ['fold-0', 'FINISHED', '0'],
      ['fold-1', 'FAILED', '1'],
    ]);
    expect(got.children.map((c) => c.id)).toEqual([ok, failed].map((f) => f!.runHandle().runIds.mlflow!.runId));
    for (const [k, c] of got.children.entries()) {
      expect(c.experiment).toBe(got.parent.experiment);
      expect(c.loss).toEqual([0, 1, 2].map((s) => [s, k + s / 10]));
    }
  }, 120_000);

  it('offline: spooled without a server, replayed later, the children are nested under the replayed parent', async () => {
    const spillDir = mkdtempSync(join(tmpdir(), 'mlflow-child-spool-'));
    const tracker = createMlflowTracker({ experiment: 'children-offline', runName: 'study', spillDir, handleExit: false, logger: silent, env: {} });
    tracker.log({ 'training/loss': 9 }, { step: 0 });
    logFolds(tracker);
    const report = await tracker.close();
    expect(report.backends[0]).toMatchObject({ status: 'spooled', offline: true });
    const results = await replaySpool(spillDir, { trackingUri: server.url, logger: silent, env: {} });
    expect(results.map((r) => [r.error, r.sent > 0])).toEqual([
      [undefined, true],
      [undefined, true],
      [undefined, true],
    ]);
    const parent = results.find((r) => r.file.includes('__study__'))!;
    const got = await family(parent.runId!);
    expect(got.parent.name).toBe('study');
    expect(got.children.map((c) => [c.name, c.fold, c.loss.length])).toEqual([
      ['fold-0', '0', 3],
      ['fold-1', '1', 3],
    ]);
  }, 120_000);
});
