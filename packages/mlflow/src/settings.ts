/** Options for the MLflow backend, with the environment variables the official client reads as fallbacks. */
export interface MlflowOptions {
  /** `MLFLOW_TRACKING_URI`. Without one (or when unreachable) points go to the spool for `metrics-mlflow replay`. */
  trackingUri?: string;
  /** `MLFLOW_EXPERIMENT_NAME`; default: the tracker's experiment. */
  experimentName?: string;
  /** `MLFLOW_EXPERIMENT_ID`: use this experiment as is. */
  experimentId?: string;
  /** `MLFLOW_RUN_ID`: log into this existing run. */
  runId?: string;
  /** Basic auth: `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`. */
  username?: string;
  password?: string;
  /** Bearer token: `MLFLOW_TRACKING_TOKEN`. */
  token?: string;
  /** Skip TLS verification (`MLFLOW_TRACKING_INSECURE_TLS=true`). Off by default; logged when on. */
  insecureTls?: boolean;
  /** Per-request timeout, ms. Default 30 000. */
  requestTimeoutMs?: number;
  /** `mlflow.user` tag and `user_id`. Default: the OS user. */
  user?: string;
  /** `mlflow.source.name` tag. Default: the entry script. */
  sourceName?: string;
  /** Rewrite a metric/param/tag key into MLflow's character set (default: `sanitizeMlflowKey`). */
  sanitizeKey?: (key: string) => string;
}

export interface ResolvedMlflowSettings extends MlflowOptions {
  requestTimeoutMs: number;
  insecureTls: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());

export function resolveMlflowSettings(options: MlflowOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedMlflowSettings {
  const trackingUri = options.trackingUri ?? env.MLFLOW_TRACKING_URI;
  return {
    ...options,
    trackingUri: trackingUri && /^https?:\/\//.test(trackingUri) ? trackingUri.replace(/\/+$/, '') : undefined,
    experimentName: options.experimentName ?? env.MLFLOW_EXPERIMENT_NAME,
    experimentId: options.experimentId ?? env.MLFLOW_EXPERIMENT_ID,
    runId: options.runId ?? env.MLFLOW_RUN_ID,
    username: options.username ?? env.MLFLOW_TRACKING_USERNAME,
    password: options.password ?? env.MLFLOW_TRACKING_PASSWORD,
    token: options.token ?? env.MLFLOW_TRACKING_TOKEN,
    insecureTls: options.insecureTls ?? truthy(env.MLFLOW_TRACKING_INSECURE_TLS),
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
  };
}
