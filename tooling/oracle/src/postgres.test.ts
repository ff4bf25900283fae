import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinDir, startMlflowServer, type MlflowServer } from './index.js';

const INSTALL_MS = 20 * 60_000;
const SERVER_MS = 180_000;

describe('postgresBinDir', () => {
  it('names what to install when no directory holds the server binaries', () => {
    const empty = mkdtempSync(join(tmpdir(), 'metrics-oracle-nopg-'));
    try {
      expect(() => postgresBinDir([empty])).toThrow(/apt-get install postgresql[\s\S]*METRICS_PG_BIN[\s\S]*looked in/);
      expect(() => postgresBinDir([])).toThrow(/install PostgreSQL 15 or newer/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('mlflow server on a private PostgreSQL cluster with two workers', () => {
  let srv: MlflowServer;
  beforeAll(async () => {
    srv = await startMlflowServer({ store: 'postgresql', workers: 2 });
  }, INSTALL_MS);
  afterAll(async () => {
    await srv?.stop();
  }, SERVER_MS);

  it(
    'stores log-batch metrics in PostgreSQL, survives a restart, and is torn down by stop()',
    async () => {
      expect(srv.store).toBe('postgresql');
      expect(srv.backendStoreUri).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/mlflow$/);
      const pg = srv.postgres!;
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${srv.url}/api/2.0/mlflow/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status, await res.clone().text()).toBe(200);
        return (await res.json()) as { experiment_id: string; run: { info: { run_id: string } } };
      };
      const exp = await post('experiments/create', { name: 'pg-oracle' });
      const run = await post('runs/create', { experiment_id: exp.experiment_id, start_time: Date.now() });
      const runId = run.run.info.run_id as string;
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 4}`, value: i, timestamp: 1_700_000_000_000 + i, step: i }));
      // Several requests at once, served by both workers.
      await Promise.all(Array.from({ length: 4 }, (_, k) => post('runs/log-batch', { run_id: runId, metrics: metrics.slice(k * 250, (k + 1) * 250) })));
      const sql = `select count(*), count(distinct (key, step)) from metrics where run_uuid = '${runId}'`;
      expect(pg.query(sql)).toEqual([['1000', '1000']]);

      // The data lives in the database, not in the server process.
      await srv.restart();
      expect(pg.query(sql)).toEqual([['1000', '1000']]);
      const res = await fetch(`${srv.url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=m1&max_results=1000`);
      expect(((await res.json()) as { metrics: unknown[] }).metrics).toHaveLength(250);

      const dirs = [srv.dir, pg.dir];
      await srv.stop();
      for (const d of dirs) expect(existsSync(d)).toBe(false);
      expect(() => pg.query('select 1')).toThrow(/psql/);
    },
    SERVER_MS,
  );
});
