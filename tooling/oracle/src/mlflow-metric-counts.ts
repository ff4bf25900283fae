/** Counting an MLflow server's stored metrics straight from its backend store with SQL (read-only). */
import type { MlflowServer } from './mlflow-server.js';
import { runPython } from './python.js';

export interface RunRowCounts {
  /** Rows in the `metrics` table for the run. */
  rows: number;
  /** Distinct (key, step) pairs: equal to rows when no point is stored twice. */
  distinct: number;
  keys: number;
  minStep: number;
  maxStep: number;
}

/** Per-run counts straight from the server's sqlite backend store (read-only). */
export async function sqliteMetricCounts(dbPath: string): Promise<Record<string, RunRowCounts>> {
  return runPython<Record<string, RunRowCounts>>(
    String.raw`
import sys, json, sqlite3
db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True, timeout=60)
out = {}
for run, rows, distinct, keys, lo, hi in db.execute(
    "SELECT run_uuid, COUNT(*), COUNT(DISTINCT key || char(0) || step), COUNT(DISTINCT key), MIN(step), MAX(step) FROM metrics GROUP BY run_uuid"):
    out[run] = {'rows': rows, 'distinct': distinct, 'keys': keys, 'minStep': lo, 'maxStep': hi}
print(json.dumps(out))
`,
    { args: [dbPath] },
  );
}

/** Per-run counts straight from the server's backend store, sqlite or PostgreSQL (SQL, read-only). */
export async function metricCounts(server: MlflowServer): Promise<Record<string, RunRowCounts>> {
  if (server.store === 'sqlite') return sqliteMetricCounts(server.dbPath);
  const out: Record<string, RunRowCounts> = {};
  const rows = server.postgres!.query(
    'SELECT run_uuid, COUNT(*), COUNT(DISTINCT (key, step)), COUNT(DISTINCT key), MIN(step), MAX(step) FROM metrics GROUP BY run_uuid',
  );
  for (const [run, n, distinct, keys, lo, hi] of rows)
    out[run!] = { rows: Number(n), distinct: Number(distinct), keys: Number(keys), minStep: Number(lo), maxStep: Number(hi) };
  return out;
}
