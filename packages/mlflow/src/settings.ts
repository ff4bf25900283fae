import { z } from 'zod';
import { InvalidConfigError } from '@metrics/core';
import { loggerSchema, optionSchemas } from '@metrics/core/backend';
import { checkTrackingUri } from './tracking-uri.js';

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
  /**
   * How many `log-batch` requests may be in flight at once (default `DEFAULT_MAX_IN_FLIGHT`). More than one
   * pays off against a server with several workers (and PostgreSQL); params, tags and files are still sent
   * alone and in order. 1 restores strictly sequential export.
   */
  maxInFlight?: number;
  /** `mlflow.user` tag and `user_id`. Default: the OS user. */
  user?: string;
  /** `mlflow.source.name` tag. Default: the entry script. */
  sourceName?: string;
  /** Rewrite a metric/param/tag key into MLflow's character set (default: `sanitizeMlflowKey`). */
  sanitizeKey?: (key: string) => string;
}

/** Requests in flight by default: measured against mlflow server (sqlite/1 worker, PostgreSQL/4 workers), see the README. */
export const DEFAULT_MAX_IN_FLIGHT = 4;

export interface ResolvedMlflowSettings extends MlflowOptions {
  requestTimeoutMs: number;
  maxInFlight: number;
  insecureTls: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
/** As the official client: an empty variable is unset. */
const value = (v: string | undefined) => (v === '' ? undefined : v);

/** The variable each option falls back to (the ones the official MLflow client reads). */
export const MLFLOW_ENV_VARS = {
  trackingUri: 'MLFLOW_TRACKING_URI',
  experimentName: 'MLFLOW_EXPERIMENT_NAME',
  experimentId: 'MLFLOW_EXPERIMENT_ID',
  runId: 'MLFLOW_RUN_ID',
  username: 'MLFLOW_TRACKING_USERNAME',
  password: 'MLFLOW_TRACKING_PASSWORD',
  token: 'MLFLOW_TRACKING_TOKEN',
  insecureTls: 'MLFLOW_TRACKING_INSECURE_TLS',
} as const satisfies Partial<Record<keyof MlflowOptions, string>>;

/** MLflow's options from the environment: the one place the `MLFLOW_*` variables are read. */
export function mlflowFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<MlflowOptions> {
  const insecure = value(env.MLFLOW_TRACKING_INSECURE_TLS);
  return {
    trackingUri: value(env.MLFLOW_TRACKING_URI),
    experimentName: value(env.MLFLOW_EXPERIMENT_NAME),
    experimentId: value(env.MLFLOW_EXPERIMENT_ID),
    runId: value(env.MLFLOW_RUN_ID),
    username: value(env.MLFLOW_TRACKING_USERNAME),
    password: value(env.MLFLOW_TRACKING_PASSWORD),
    token: value(env.MLFLOW_TRACKING_TOKEN),
    insecureTls: insecure === undefined ? undefined : truthy(insecure),
  };
}

export function resolveMlflowSettings(options: MlflowOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedMlflowSettings {
  const fromEnv = mlflowFromEnv(env);
  const trackingUri = options.trackingUri ?? fromEnv.trackingUri;
  return {
    ...options,
    trackingUri: trackingUri && /^https?:\/\//.test(trackingUri) ? trackingUri.replace(/\/+$/, '') : undefined,
    experimentName: options.experimentName ?? fromEnv.experimentName,
    experimentId: options.experimentId ?? fromEnv.experimentId,
    runId: options.runId ?? fromEnv.runId,
    username: options.username ?? fromEnv.username,
    password: options.password ?? fromEnv.password,
    token: options.token ?? fromEnv.token,
    insecureTls: options.insecureTls ?? fromEnv.insecureTls ?? false,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
  };
}

const { positive, fn } = optionSchemas;
const maxInFlight = z
  .number({ error: 'maxInFlight must be a whole number from 1 to 64' })
  .int('maxInFlight must be a whole number from 1 to 64')
  .min(1, 'maxInFlight must be a whole number from 1 to 64')
  .max(64, 'maxInFlight must be a whole number from 1 to 64');
/** Any string: names are made safe by the backend, never rejected (an empty one means the default). */
const text = (what: string) => z.string({ error: `${what} must be a string` });

/** MLflow's options, strict: an unknown key fails with the option it resembles. */
export const mlflowOptionsSchema = z.strictObject({
  // One check for every way in (options, MLFLOW_TRACKING_URI, the CLI): tracking-uri.ts.
  trackingUri: z
    .string({ error: 'trackingUri must be a URL such as http://127.0.0.1:5000' })
    .superRefine((uri, ctx) => {
      try {
        checkTrackingUri(uri, 'trackingUri');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: InvalidConfigError.isInstance(error) ? error.issues[0]!.message : String(error) });
      }
    })
    .optional(),
  experimentName: text('experimentName').optional(),
  experimentId: text('experimentId').optional(),
  runId: text('runId').optional(),
  username: z.string({ error: 'username must be a string' }).optional(),
  password: z.string({ error: 'password must be a string' }).optional(),
  token: z.string({ error: 'token must be a string' }).optional(),
  insecureTls: z.boolean({ error: 'insecureTls must be true or false' }).optional(),
  requestTimeoutMs: positive('requestTimeoutMs (ms, default 30000)').optional(),
  maxInFlight: maxInFlight.optional(),
  user: z.string({ error: 'user must be a string' }).optional(),
  sourceName: z.string({ error: 'sourceName must be a string' }).optional(),
  sanitizeKey: fn<(key: string) => string>('sanitizeKey').optional(),
  // process.env is not a plain object to zod's record check.
  env: optionSchemas.objectOf<Readonly<Record<string, string | undefined>>>('env (an object of environment variables)').optional(),
});

/** `createMlflowExporter`'s options: the backend's plus a logger. */
export const mlflowExporterOptionsSchema = mlflowOptionsSchema.extend({ logger: loggerSchema.optional() });

/** Options of the MLflow backend as `exporters: [mlflow({ … })]` takes them. */
export type MlflowBackendOptions = MlflowOptions & {
  /** Environment to read `MLFLOW_*` from (tests). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
};
