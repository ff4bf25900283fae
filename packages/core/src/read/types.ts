/**
 * What every backend's read API returns, so a script or the CLIs read an MLflow server, a TensorBoard
 * logdir and a W&B directory the same way. Backends fill what their data holds and leave the rest empty.
 */

/** A run's state. TensorBoard has none (`unknown`); W&B offline runs are `finished`, `failed` or `running`. */
export type RunStatus = 'running' | 'scheduled' | 'finished' | 'failed' | 'killed' | 'unknown';

export interface RunSummary {
  /** What `history` takes: the MLflow run id, the TensorBoard run directory (relative to the logdir), the W&B run id. */
  id: string;
  /** The display name (MLflow `run_name`, W&B `display_name`; for TensorBoard the directory). */
  name: string;
  status: RunStatus;
  /** Milliseconds since the epoch, when known. */
  startTime?: number;
  endTime?: number;
  /** Hyperparameters as strings (MLflow params, TensorBoard hparams, W&B config; non-strings JSON-encoded). */
  params: Record<string, string>;
  /** Run tags (MLflow tags without the `mlflow.` system ones, W&B tags, tags logged with `setTags`). */
  tags: Record<string, string>;
  /** The last value of every scalar metric (by step). */
  latestMetrics: Record<string, number>;
}

/** One point of a metric's history. `timestamp` is milliseconds since the epoch (0 when the backend has none). */
export interface MetricPoint {
  step: number;
  value: number;
  timestamp: number;
}

/** The read operations the `runs` and `history` CLI commands need; each backend's reader implements it. */
export interface RunReader {
  listRuns(): Promise<RunSummary[]>;
  /** Every point of `metric` in run `run` (an id or, where unambiguous, a name), ordered by step. */
  metricHistory(run: string, metric: string): Promise<MetricPoint[]>;
}
