/** Reading an MLflow server back the way its users would: REST get-history (paged) and its backend store (SQL). */
import type { MlflowStore } from '@metrics/oracle';

export interface HistoryPoint {
  step: number;
  value: number;
  timestamp: number;
}

/** Every point of one metric, via REST `metrics/get-history`, following `next_page_token`. */
export async function metricHistory(url: string, runId: string, key: string): Promise<HistoryPoint[]> {
  const out: HistoryPoint[] = [];
  let token: string | undefined;
  do {
    const q = new URLSearchParams({ run_id: runId, metric_key: key, max_results: '25000' });
    if (token) q.set('page_token', token);
    const res = await fetch(`${url}/api/2.0/mlflow/metrics/get-history?${q}`);
    if (!res.ok) throw new Error(`get-history ${key}: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { metrics?: { step?: string | number; value: number | string; timestamp: string | number }[]; next_page_token?: string };
    for (const m of body.metrics ?? []) out.push({ step: Number(m.step ?? 0), value: Number(m.value), timestamp: Number(m.timestamp) });
    token = body.next_page_token;
  } while (token);
  return out.sort((a, b) => a.step - b.step);
}

export async function runInfo(url: string, runId: string): Promise<{ status: string; runName: string }> {
  const res = await fetch(`${url}/api/2.0/mlflow/runs/get?run_id=${runId}`);
  const body = (await res.json()) as { run: { info: { status: string; run_name: string } } };
  return { status: body.run.info.status, runName: body.run.info.run_name };
}

/** Checks one metric's history: steps exactly `steps`, each once, and value(step) as logged. */
export function historyProblems(points: readonly HistoryPoint[], steps: readonly number[], value: (step: number) => number): string[] {
  const problems: string[] = [];
  if (points.length !== steps.length) problems.push(`${points.length} points, expected ${steps.length}`);
  const seen = new Set<number>();
  for (const p of points) {
    if (seen.has(p.step)) problems.push(`step ${p.step} twice`);
    seen.add(p.step);
    if (p.value !== value(p.step)) problems.push(`step ${p.step}: value ${p.value}, expected ${value(p.step)}`);
  }
  for (const s of steps) if (!seen.has(s)) problems.push(`step ${s} missing`);
  return problems.slice(0, 10);
}

// The SQL counts live in the oracle (the MLflow load scenario there uses them too).
export { metricCounts, sqliteMetricCounts, type RunRowCounts } from '@metrics/oracle';

/**
 * The server setup an MLflow reliability test runs against: `RELIABILITY_MLFLOW_STORE` (sqlite | postgresql)
 * and `RELIABILITY_MLFLOW_WORKERS` override the test's own default.
 */
export function mlflowSetup(fallback: { store: MlflowStore; workers: number }): { store: MlflowStore; workers: number; label: string } {
  const store = (process.env.RELIABILITY_MLFLOW_STORE as MlflowStore | undefined) ?? fallback.store;
  if (store !== 'sqlite' && store !== 'postgresql') throw new Error(`RELIABILITY_MLFLOW_STORE must be sqlite or postgresql, got ${store}`);
  const workers = Number(process.env.RELIABILITY_MLFLOW_WORKERS ?? fallback.workers);
  return { store, workers, label: `${store === 'sqlite' ? 'sqlite' : 'PostgreSQL'}, ${workers} worker${workers === 1 ? '' : 's'}` };
}
