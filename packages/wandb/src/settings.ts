import { z } from 'zod';
import type { Logger, RetryPolicy } from '@metrics/core';
import { loggerSchema, optionSchemas, retryPolicySchema } from '@metrics/core/backend';

export type WandbMode = 'online' | 'offline' | 'disabled';
export type WandbResume = 'allow' | 'must' | 'never' | 'auto';
/** `wrap`: the program's stdout/stderr lines go to the run (`output.log`); `off`: nothing is captured. */
export type WandbConsole = 'wrap' | 'off';

export interface FileStreamOptions {
  /** Minimum time between file_stream requests, ms (the first goes at once). Default 5 000. */
  intervalMs?: number;
  /** Send `{}` after this long without a request, ms. Default 30 000. */
  heartbeatMs?: number;
  /** Send at once when pending data reaches this size; cap per request. Default 10 MiB. */
  maxRequestBytes?: number;
  /** Longer history/summary lines are dropped with a warning. Default 10 MiB − 100 KiB. */
  maxLineBytes?: number;
}

export interface WandbOptions {
  /** Default: `WANDB_MODE`; else online when an API key is set, offline otherwise. */
  mode?: WandbMode;
  /** Default `WANDB_API_KEY`. Never written to logs, errors or files. */
  apiKey?: string;
  /** Default `WANDB_BASE_URL` or https://api.wandb.ai. */
  baseUrl?: string;
  /** Default `WANDB_PROJECT`, else the tracker's experiment name. */
  project?: string;
  /** Default `WANDB_ENTITY`, else the server's default entity. */
  entity?: string;
  /** Root directory for offline runs (`<dir>/wandb/…`). Default `WANDB_DIR` or the current directory. */
  dir?: string;
  /**
   * Where an offline run's `.wandb` log is encoded and written. `'thread'` (default): a worker thread,
   * beside the training loop; `'inline'`: the calling thread (the same bytes, no extra thread).
   */
  offlineWriter?: 'thread' | 'inline';
  /**
   * fsync an offline run's `.wandb` file when the run finishes, so it survives a power loss, not only a
   * crash. Default false, as wandb itself and this project's TensorBoard writer.
   */
  fsyncOnClose?: boolean;
  /** Default `WANDB_RUN_ID`, else the resume handle's id, else 8 random characters. */
  runId?: string;
  /** W&B resume policy; default `WANDB_RESUME`. (A saved run handle passed to the tracker resumes too.) */
  resumePolicy?: WandbResume;
  jobType?: string;
  notes?: string;
  /** History column carrying the canonical step, defined as every metric's x-axis. Default 'global_step'. */
  stepMetric?: string;
  /** Scalars under this prefix become system metrics (`system/gpu` → `system.gpu`). Default 'system/'. */
  systemPrefix?: string;
  fileStream?: FileStreamOptions;
  /**
   * Capture the program's stdout/stderr into the run (W&B's `console` setting). Default `WANDB_CONSOLE`
   * (`auto`, `wrap`, `redirect`, `wrap_raw`, `wrap_emu` all mean `wrap`), else `'off'`: wrapping the host
   * program's output is invasive, so a library does it only when asked.
   */
  console?: WandbConsole;
  /** Retry policy for GraphQL, file_stream and uploads. Default 2 s → 60 s backoff, 20 attempts, 10 min. */
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout, ms. Default 180 000. */
  requestTimeoutMs?: number;
  /** More W&B tags for the run (`WANDB_TAGS`, comma-separated), besides the tracker's `tags`. */
  extraTags?: string[];
  logger?: Logger;
  /** Environment to read `WANDB_*` from (tests). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedSettings {
  mode: WandbMode;
  apiKey?: string;
  baseUrl: string;
  project?: string;
  entity?: string;
  rootDir: string;
  offlineWriter: 'thread' | 'inline';
  fsyncOnClose: boolean;
  runId?: string;
  resume?: WandbResume;
  jobType?: string;
  notes?: string;
  stepMetric: string;
  systemPrefix: string;
  fileStream: Required<FileStreamOptions>;
  console: WandbConsole;
  retry: Partial<RetryPolicy>;
  requestTimeoutMs: number;
  extraTags: string[];
}

export const DEFAULT_WANDB_RETRY: Partial<RetryPolicy> = { initialDelayMs: 2_000, maxDelayMs: 60_000, multiplier: 2, maxAttempts: 20, deadlineMs: 10 * 60_000 };

function modeFrom(value: string | undefined): WandbMode | undefined {
  switch (value?.trim().toLowerCase()) {
    case 'online':
    case 'run':
      return 'online';
    case 'offline':
    case 'dryrun':
      return 'offline';
    case 'disabled':
      return 'disabled';
    default:
      return undefined;
  }
}

function resumeFrom(value: string | undefined): WandbResume | undefined {
  const v = value?.trim().toLowerCase();
  if (v === 'allow' || v === 'must' || v === 'never' || v === 'auto') return v;
  if (v === 'true') return 'allow';
  return undefined;
}

function consoleFrom(value: string | undefined): WandbConsole | undefined {
  const v = value?.trim().toLowerCase();
  if (v === 'off') return 'off';
  if (v === 'wrap' || v === 'auto' || v === 'redirect' || v === 'wrap_raw' || v === 'wrap_emu') return 'wrap';
  return undefined;
}

const nonEmpty = (s: string | undefined) => (s && s.trim() !== '' ? s.trim() : undefined);

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `WANDB_MODE` as wandb reads it: any case, `dryrun` = offline, `run` = online. Anything else is kept as
 * given (a blank value too; only an empty one is unset), so validation rejects it naming the variable.
 */
export function wandbModeFromEnv(value: string | undefined): WandbMode | string | undefined {
  if (value === undefined || value === '') return undefined;
  return modeFrom(value) ?? value;
}

/** The variable each option falls back to. */
export const WANDB_ENV_VARS = {
  mode: 'WANDB_MODE',
  apiKey: 'WANDB_API_KEY',
  baseUrl: 'WANDB_BASE_URL',
  project: 'WANDB_PROJECT',
  entity: 'WANDB_ENTITY',
  dir: 'WANDB_DIR',
  runId: 'WANDB_RUN_ID',
  resumePolicy: 'WANDB_RESUME',
  jobType: 'WANDB_JOB_TYPE',
  notes: 'WANDB_NOTES',
  console: 'WANDB_CONSOLE',
  extraTags: 'WANDB_TAGS',
} as const satisfies Partial<Record<keyof WandbOptions, string>>;

/** W&B's options from the environment: the one place the `WANDB_*` variables are parsed. */
export function wandbFromEnv(env: Env): Partial<WandbOptions> {
  const tags = nonEmpty(env.WANDB_TAGS)
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    mode: wandbModeFromEnv(env.WANDB_MODE) as WandbMode | undefined,
    apiKey: nonEmpty(env.WANDB_API_KEY),
    baseUrl: nonEmpty(env.WANDB_BASE_URL),
    project: nonEmpty(env.WANDB_PROJECT),
    entity: nonEmpty(env.WANDB_ENTITY),
    dir: nonEmpty(env.WANDB_DIR),
    runId: nonEmpty(env.WANDB_RUN_ID),
    resumePolicy: resumeFrom(env.WANDB_RESUME),
    jobType: nonEmpty(env.WANDB_JOB_TYPE),
    notes: nonEmpty(env.WANDB_NOTES),
    console: consoleFrom(env.WANDB_CONSOLE),
    extraTags: tags && tags.length > 0 ? tags : undefined,
  };
}

export function resolveSettings(options: WandbOptions): ResolvedSettings {
  const env = wandbFromEnv(options.env ?? process.env);
  const apiKey = nonEmpty(options.apiKey) ?? env.apiKey;
  // A direct call keeps wandb's leniency for an unknown WANDB_MODE (the factories reject it first).
  const mode = options.mode ?? modeFrom(env.mode) ?? (apiKey ? 'online' : 'offline');
  return {
    mode,
    apiKey,
    baseUrl: (nonEmpty(options.baseUrl) ?? env.baseUrl ?? 'https://api.wandb.ai').replace(/\/+$/, ''),
    project: nonEmpty(options.project) ?? env.project,
    entity: nonEmpty(options.entity) ?? env.entity,
    rootDir: nonEmpty(options.dir) ?? env.dir ?? process.cwd(),
    offlineWriter: options.offlineWriter === 'inline' ? 'inline' : 'thread',
    fsyncOnClose: options.fsyncOnClose === true,
    runId: nonEmpty(options.runId) ?? env.runId,
    resume: options.resumePolicy ?? env.resumePolicy,
    jobType: options.jobType ?? env.jobType,
    notes: options.notes ?? env.notes,
    extraTags: options.extraTags ?? env.extraTags ?? [],
    stepMetric: options.stepMetric ?? 'global_step',
    systemPrefix: options.systemPrefix ?? 'system/',
    fileStream: {
      intervalMs: options.fileStream?.intervalMs ?? 5_000,
      heartbeatMs: options.fileStream?.heartbeatMs ?? 30_000,
      maxRequestBytes: options.fileStream?.maxRequestBytes ?? 10 * 1024 * 1024,
      maxLineBytes: options.fileStream?.maxLineBytes ?? 10 * 1024 * 1024 - 100 * 1024,
    },
    console: options.console ?? env.console ?? 'off',
    retry: { ...DEFAULT_WANDB_RETRY, ...options.retry },
    requestTimeoutMs: options.requestTimeoutMs ?? 180_000,
  };
}

/** W&B tags are plain strings: `key` alone when the value is empty, else `key:value` (max 64 chars). */
export function tagsFrom(tags: Readonly<Record<string, string>>): string[] {
  return Object.entries(tags).map(([k, v]) => (v === '' ? k : `${k}:${v}`).slice(0, 64));
}

/** Exit code for a run outcome: 0 finished, the given code (or 1) failed, 128 + signal number killed. */
export function exitCodeOf(outcome: { status: string; exitCode?: number; signal?: string }): number {
  if (outcome.status === 'finished') return 0;
  if (outcome.status === 'failed') return Number.isInteger(outcome.exitCode) && outcome.exitCode !== 0 ? outcome.exitCode! : 1;
  const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return 128 + (signals[outcome.signal ?? 'SIGTERM'] ?? 15);
}

const { positive, positiveInt } = optionSchemas;
/** Any string: names are made safe by the backend, never rejected (an empty one means the default). */
const text = (what: string) => z.string({ error: `${what} must be a string` });

/** W&B's options, strict: an unknown key fails with the option it resembles. */
export const wandbOptionsSchema = z.strictObject({
  mode: z.enum(['online', 'offline', 'disabled'], { error: 'mode must be "online", "offline" or "disabled"' }).optional(),
  apiKey: z.string({ error: 'apiKey must be a string' }).optional(),
  baseUrl: z
    .string({ error: 'baseUrl must be a URL' })
    .refine((s) => URL.canParse(s.trim()), 'baseUrl must be a URL such as https://api.wandb.ai')
    .optional(),
  project: text('project').optional(),
  entity: text('entity').optional(),
  dir: text('dir').optional(),
  offlineWriter: z.enum(['thread', 'inline'], { error: 'offlineWriter must be "thread" or "inline"' }).optional(),
  fsyncOnClose: z.boolean({ error: 'fsyncOnClose must be true or false' }).optional(),
  runId: text('runId').optional(),
  resumePolicy: z.enum(['allow', 'must', 'never', 'auto'], { error: 'resumePolicy must be "allow", "must", "never" or "auto"' }).optional(),
  jobType: z.string({ error: 'jobType must be a string' }).optional(),
  notes: z.string({ error: 'notes must be a string' }).optional(),
  stepMetric: text('stepMetric').optional(),
  systemPrefix: z.string({ error: 'systemPrefix must be a string' }).optional(),
  fileStream: z
    .strictObject({
      intervalMs: z.number().nonnegative('fileStream.intervalMs must be ≥ 0').optional(),
      heartbeatMs: positive('fileStream.heartbeatMs').optional(),
      maxRequestBytes: positiveInt('fileStream.maxRequestBytes').optional(),
      maxLineBytes: positiveInt('fileStream.maxLineBytes').optional(),
    })
    .optional(),
  console: z.enum(['wrap', 'off'], { error: 'console must be "wrap" or "off"' }).optional(),
  retry: retryPolicySchema.optional(),
  requestTimeoutMs: positive('requestTimeoutMs (ms, default 180000)').optional(),
  extraTags: z.array(z.string({ error: 'extraTags must be strings' }), { error: 'extraTags must be an array of strings' }).optional(),
  logger: loggerSchema.optional(),
  // process.env is not a plain object to zod's record check.
  env: optionSchemas.objectOf<Readonly<Record<string, string | undefined>>>('env (an object of environment variables)').optional(),
});
