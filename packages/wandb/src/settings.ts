import type { Logger, RetryPolicy } from '@metrics/core';

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

export function resolveSettings(options: WandbOptions): ResolvedSettings {
  const env = options.env ?? process.env;
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env.WANDB_API_KEY);
  const mode = options.mode ?? modeFrom(env.WANDB_MODE) ?? (apiKey ? 'online' : 'offline');
  return {
    mode,
    apiKey,
    baseUrl: (nonEmpty(options.baseUrl) ?? nonEmpty(env.WANDB_BASE_URL) ?? 'https://api.wandb.ai').replace(/\/+$/, ''),
    project: nonEmpty(options.project) ?? nonEmpty(env.WANDB_PROJECT),
    entity: nonEmpty(options.entity) ?? nonEmpty(env.WANDB_ENTITY),
    rootDir: nonEmpty(options.dir) ?? nonEmpty(env.WANDB_DIR) ?? process.cwd(),
    offlineWriter: options.offlineWriter === 'inline' ? 'inline' : 'thread',
    fsyncOnClose: options.fsyncOnClose === true,
    runId: nonEmpty(options.runId) ?? nonEmpty(env.WANDB_RUN_ID),
    resume: options.resumePolicy ?? resumeFrom(env.WANDB_RESUME),
    jobType: options.jobType ?? nonEmpty(env.WANDB_JOB_TYPE),
    notes: options.notes ?? nonEmpty(env.WANDB_NOTES),
    stepMetric: options.stepMetric ?? 'global_step',
    systemPrefix: options.systemPrefix ?? 'system/',
    fileStream: {
      intervalMs: options.fileStream?.intervalMs ?? 5_000,
      heartbeatMs: options.fileStream?.heartbeatMs ?? 30_000,
      maxRequestBytes: options.fileStream?.maxRequestBytes ?? 10 * 1024 * 1024,
      maxLineBytes: options.fileStream?.maxLineBytes ?? 10 * 1024 * 1024 - 100 * 1024,
    },
    console: options.console ?? consoleFrom(env.WANDB_CONSOLE) ?? 'off',
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
