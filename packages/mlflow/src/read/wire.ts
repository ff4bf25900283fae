import type { MetricPoint, RunStatus, RunSummary } from '@metrics/core/backend';

/** A run as the REST API returns it (`runs/get`, `runs/search`). int64 fields may come as strings. */
export interface WireRun {
  info: {
    run_id: string;
    run_name?: string;
    experiment_id: string;
    status?: string;
    start_time?: number | string;
    end_time?: number | string;
    lifecycle_stage?: string;
    artifact_uri?: string;
  };
  data?: {
    metrics?: WireMetric[];
    params?: { key: string; value?: string }[];
    tags?: { key: string; value?: string }[];
  };
}

/** A metric as REST returns it: NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity". */
export interface WireMetric {
  key: string;
  value: number | string;
  timestamp?: number | string;
  step?: number | string;
}

/** A run read from MLflow: the shared summary plus what only MLflow has. */
export interface MlflowRun extends RunSummary {
  experimentId: string;
  /** `active` or `deleted`. */
  lifecycleStage: string;
  artifactUri?: string;
  /** `mlflow.parentRunId`: set on nested (child) runs. */
  parentRunId?: string;
  /** The `mlflow.*` tags MLflow and its clients set (user, source, run name, logged artifacts, note…). */
  systemTags: Record<string, string>;
}

const STATUSES: Record<string, RunStatus> = { RUNNING: 'running', SCHEDULED: 'scheduled', FINISHED: 'finished', FAILED: 'failed', KILLED: 'killed' };
const num = (v: number | string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

export function toMlflowRun(run: WireRun): MlflowRun {
  const params: Record<string, string> = {};
  for (const p of run.data?.params ?? []) params[p.key] = p.value ?? '';
  const tags: Record<string, string> = {};
  const systemTags: Record<string, string> = {};
  for (const t of run.data?.tags ?? []) (t.key.startsWith('mlflow.') ? systemTags : tags)[t.key] = t.value ?? '';
  const latestMetrics: Record<string, number> = {};
  for (const m of run.data?.metrics ?? []) latestMetrics[m.key] = Number(m.value);
  const out: MlflowRun = {
    id: run.info.run_id,
    name: run.info.run_name ?? systemTags['mlflow.runName'] ?? '',
    status: STATUSES[run.info.status ?? ''] ?? 'unknown',
    params,
    tags,
    latestMetrics,
    experimentId: run.info.experiment_id,
    lifecycleStage: run.info.lifecycle_stage ?? 'active',
    systemTags,
  };
  const start = num(run.info.start_time);
  const end = num(run.info.end_time);
  if (start !== undefined) out.startTime = start;
  if (end !== undefined && end > 0) out.endTime = end;
  if (run.info.artifact_uri) out.artifactUri = run.info.artifact_uri;
  if (systemTags['mlflow.parentRunId']) out.parentRunId = systemTags['mlflow.parentRunId'];
  return out;
}

export function toMetricPoint(m: WireMetric): MetricPoint {
  return { step: num(m.step) ?? 0, value: Number(m.value), timestamp: num(m.timestamp) ?? 0 };
}
