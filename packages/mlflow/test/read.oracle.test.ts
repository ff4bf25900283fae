// Runs logged by our tracker into a real `mlflow server`, read back by MlflowReader and compared with the
// MLflow Python client's search_runs / get_metric_history on the same server.
import { describe, expect, it } from 'vitest';
import { runPython } from '@metrics/oracle';
import { useMlflowServer } from '@metrics/oracle/vitest';
import { createMlflowReader, createMlflowTracker } from '../src/index.js';

const server = useMlflowServer();
/** More points than one `metrics/get-history` page holds (25 000). */
const LONG = 30_000;

async function logRun(name: string, lr: string, finalLoss: number, points = 5): Promise<string> {
  const tracker = createMlflowTracker({ trackingUri: server.url, experiment: 'readback', runName: name, handleExit: false, logLevel: 'silent', env: {} });
  tracker.logHyperparams({ lr, optimizer: 'adam' });
  tracker.setTags({ team: 'vision' });
  for (let step = 0; step < points; step++) {
    const loss = finalLoss + (points - 1 - step) / points;
    tracker.log({ 'training/loss': loss, 'training/accuracy': 1 - loss / 4 }, { step });
  }
  tracker.log({ 'validation/loss': finalLoss + 0.1, 'validation/accuracy': 0.9 }, { step: points });
  await tracker.flush();
  const runId = tracker.runHandle().runIds.mlflow!.runId!;
  await tracker.close();
  return runId;
}

describe('MlflowReader against a real server', { timeout: 600_000 }, () => {
  it('searches with a filter, reads every page of a history and selects metrics as the Python client does', async () => {
    const long = await logRun('long', '0.1', 0.5, LONG);
    const other = await logRun('other', '0.1', 2);
    const slow = await logRun('slow', '0.01', 0.25);
    const reader = createMlflowReader({ trackingUri: server.url, env: {} });
    try {
      const filter = "metrics.`training/loss` < 1 and params.lr = '0.1'";
      const found = await reader.searchRuns({ experimentNames: ['readback'], filter });
      expect(found.map((r) => r.id)).toEqual([long]);
      const all = await reader.searchRuns({ experimentNames: ['readback'], orderBy: ['attributes.run_name ASC'], pageSize: 2 });
      expect(all.map((r) => r.name)).toEqual(['long', 'other', 'slow']);
      expect(await reader.searchRuns({ experimentNames: ['readback'], orderBy: ['attributes.run_name ASC'], pageSize: 1, maxResults: 2 })).toHaveLength(2);
      const first = all[0]!;
      expect(first).toMatchObject({ id: long, status: 'finished', params: { lr: '0.1', optimizer: 'adam' }, tags: { team: 'vision' } });
      expect(first.latestMetrics['training/loss']).toBe(0.5);
      expect(first.startTime).toBeGreaterThan(Date.UTC(2020, 0));

      const history = await reader.getMetricHistory(long, 'training/loss');
      const paged = await reader.getMetricHistory(long, 'training/loss', { pageSize: 7_000 });
      expect(history).toHaveLength(LONG);
      expect(paged).toEqual(history);
      expect(history.map((p) => p.step)).toEqual(Array.from({ length: LONG }, (_, i) => i));
      expect(await reader.metricHistory('long', 'training/loss')).toEqual(history);

      expect(Object.keys(await reader.runMetrics(slow, { category: 'validation' }))).toEqual(['validation/accuracy', 'validation/loss']);
      expect(await reader.runMetrics(slow, { prefix: 'training/', glob: '*/loss' })).toEqual({ 'training/loss': 0.25 });
      const histories = await reader.runMetricHistories(other, { glob: '*/accuracy' });
      expect(Object.keys(histories)).toEqual(['training/accuracy', 'validation/accuracy']);
      expect(histories['training/accuracy']).toHaveLength(5);

      const py = await runPython<{ search: string[]; all: string[]; history: [number, number, number][] }>(
        `import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
exp = c.get_experiment_by_name('readback').experiment_id
search = [r.info.run_id for r in c.search_runs([exp], filter_string=sys.argv[2])]
everything = [r.info.run_name for r in c.search_runs([exp], order_by=['attributes.run_name ASC'])]
h = sorted(c.get_metric_history(sys.argv[3], 'training/loss'), key=lambda m: (m.step, m.timestamp))
print(json.dumps({'search': search, 'all': everything, 'history': [[m.step, m.value, m.timestamp] for m in h]}))`,
        { args: [server.url, filter, long] },
      );
      expect(py.search).toEqual([long]);
      expect(py.all).toEqual(all.map((r) => r.name));
      expect(py.history).toHaveLength(LONG);
      expect(history.map((p) => [p.step, p.value, p.timestamp])).toEqual(py.history);
    } finally {
      await reader.close();
    }
  });

  it('names the closest experiment and run when one does not exist', async () => {
    await logRun('named', '0.3', 1);
    const reader = createMlflowReader({ trackingUri: server.url, env: {} });
    try {
      await expect(reader.searchRuns({ experimentNames: ['readbak'] })).rejects.toThrow('no MLflow experiment named "readbak"; did you mean `readback`?');
      await expect(reader.metricHistory('namde', 'training/loss')).rejects.toThrow(/no MLflow run with the id or name "namde"; did you mean `named`\?/);
      await expect(reader.getMetricHistory('0'.repeat(32), 'training/loss')).rejects.toThrow(/RESOURCE_DOES_NOT_EXIST/);
      await expect(reader.metricHistory('named', 'training/los')).rejects.toThrow(/has no metric "training\/los"; did you mean `training\/loss`\?/);
    } finally {
      await reader.close();
    }
  });
});
