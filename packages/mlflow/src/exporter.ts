import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { createLogger, ExportError } from '@metrics/core';
import type { Logger, RunOutcome } from '@metrics/core';
import {
  parseOptions,
  imageFile,
  renderConfusionMatrix,
  renderPrCurve,
  shellQuote,
  withSecrets,
  EXPORT_OK,
  failure,
  kindsExcept,
  withOptInKinds,
  SPECIFICATION_VERSION,
  withoutUrlCredentials,
} from '@metrics/core/backend';
import type { ChildRun, ExporterV1, ExportResult, ImageRecord, RecordKind, RunDescription, RunInfo, TrackingRecord } from '@metrics/core/backend';
import { MlflowApiError, MlflowClient } from './client.js';
import { packLogBatches, paramValue, sanitizeMlflowKey, toMetric, type KeyValue, type MlflowMetric } from './encode.js';
import { mlflowExporterOptionsSchema, resolveMlflowSettings, type MlflowOptions, type ResolvedMlflowSettings } from './settings.js';
import { checkTrackingUri } from './tracking-uri.js';
import { replayCommand } from './replay-command.js';
import { findRunByKey, RUN_KEY_TAG } from './run-key.js';
import { confusionTable, LoggedTables, prCurveTable, tableJson, tablePath } from './kinds.js';
import { datasetInput, type DatasetInput } from './datasets.js';
import { ModelRegistry, type RegisterModelOptions } from './registry/model-registry.js';
import type { ModelVersion } from './registry/wire.js';

export interface MlflowExporterOptions extends MlflowOptions {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

/** What `registerModel` returns (a `ModelVersion`; `runId` is the run that registered it). */
export type RegisteredModelVersion = ModelVersion & { runId: string };

/** The native handle: the REST client and the run, plus the model registry. */
export interface MlflowNative {
  client: MlflowClient | undefined;
  runId: string | undefined;
  experimentId: string | undefined;
  artifactUri: string | undefined;
  /**
   * The run this one is a child of: the job's parent run when every rank of a job logs (`RunInfo.rank`), or
   * the tracker's run for a child tracker (`Tracker.child`).
   */
  parentRunId: string | undefined;
  /**
   * The model registry, registering from this run: aliases, tags, descriptions, search. `registry.logsTo(tracker)`
   * logs its events as the standard `usage/registry_*` metrics.
   */
  registry: ModelRegistry | undefined;
  /** Registers `runs/<run>/artifacts/<artifactPath>` as a new version of model `name` (created if absent). */
  registerModel(name: string, artifactPath: string, options?: RegisterModelOptions): Promise<RegisteredModelVersion>;
}

/** MLflow has no histogram type; it has dataset inputs. */
const CAPABILITIES = withOptInKinds(kindsExcept('histogram'), 'dataset');

/** The run description the MLflow UI shows (and `setNote` sets). */
const NOTE_TAG = 'mlflow.note.content';
const LOGGED_ARTIFACTS_TAG = 'mlflow.loggedArtifacts';
/** How long a child run's start waits for its parent's first start attempt before it looks the parent up by key. */
const PARENT_WAIT_MS = 10_000;

export function createMlflowExporter(options: MlflowExporterOptions = {}): ExporterV1<MlflowNative> {
  // A bad option fails here, naming the fix (the environment is read, leniently, by the settings).
  return new MlflowExporter(parseOptions(mlflowExporterOptionsSchema, options, 'createMlflowExporter options') as MlflowExporterOptions);
}

class MlflowExporter implements ExporterV1<MlflowNative> {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name = 'mlflow';
  readonly capabilities: ReadonlySet<RecordKind> = CAPABILITIES;
  /** Batches exported at once: latency, not this client, limits a remote server (see `maxInFlight`). */
  readonly maxInFlight: number;
  private readonly settings: ResolvedMlflowSettings;
  private readonly client: MlflowClient | undefined;
  private readonly logger: Logger;
  private readonly sanitize: (k: string) => string;
  private runId: string | undefined;
  private experimentId: string | undefined;
  private artifactUri: string | undefined;
  /**
   * Client-generated, known at creation (`prepare`): stored as tag `metrics.run_key` on the run, and in the run
   * handle, so a resume finds the run by this tag even when the handle was taken before the server answered.
   */
  private runKey: string | undefined;
  /** Params already sent, to turn a changed value into a clear error before the server rejects the batch. */
  private readonly params = new Map<string, string>();
  private imagesTagged = false;
  /** Tables logged to this run, for the `mlflow.loggedArtifacts` tag. */
  private readonly tables = new LoggedTables();
  /** The run this one is nested under: the group's parent run of a rank (`parentRunFor`), or a child tracker's parent (`childParentRun`). */
  private parentRunId: string | undefined;
  /** Rank 0 created (or found) the parent run: it ends it at shutdown. */
  private endsParent = false;
  /** A runs/create was sent: a retried start looks the run up by its key first (the answer may have been lost). */
  private createSent = false;
  /** The run key of the parent run: the job's (rank runs), or the parent tracker's run (child runs; in `runIds`, so a replay finds it). */
  private parentKey: string | undefined;
  /** This rank's run started before its parent existed: it is nested once the parent appears. */
  private parentPending = false;
  private nextParentLookup = 0;
  private adopting: Promise<void> | undefined;
  /** The registry of `native()`, registering from this run. */
  private readonly registry: ModelRegistry | undefined;
  /** Settles once the first start attempt did (a child run waits for it: see `childParentRun`). */
  private readonly firstStart: Promise<void>;
  private firstStartSettled!: () => void;

  constructor(
    private readonly options: MlflowExporterOptions,
    /** A child tracker's run (`Tracker.child`): the exporter of the run it is nested under, in this process. */
    private readonly parent?: MlflowExporter,
  ) {
    this.firstStart = new Promise((resolve) => (this.firstStartSettled = resolve));
    if (options.trackingUri !== undefined) checkTrackingUri(options.trackingUri, 'trackingUri');
    else checkTrackingUri((options.env ?? process.env).MLFLOW_TRACKING_URI, 'MLFLOW_TRACKING_URI');
    this.settings = resolveMlflowSettings(options, options.env);
    this.maxInFlight = this.settings.maxInFlight;
    // Credentials are masked in every line, also when the caller passes its own logger.
    this.logger = withSecrets(options.logger ?? createLogger(), () => [this.settings.token, this.settings.password]);
    this.sanitize = options.sanitizeKey ?? sanitizeMlflowKey;
    const uri = this.settings.trackingUri;
    this.client = uri ? new MlflowClient({ ...this.settings, trackingUri: uri }) : undefined;
    this.registry = this.client
      ? new ModelRegistry({
          client: this.client,
          run: () => (this.runId && this.artifactUri ? { runId: this.runId, artifactUri: this.artifactUri } : undefined),
        })
      : undefined;
    if (this.settings.insecureTls && uri?.startsWith('https:'))
      this.logger.warn('MLflow: TLS certificate verification is OFF (MLFLOW_TRACKING_INSECURE_TLS); use only for testing.');
  }

  private api(): MlflowClient {
    // Not retryable: the pipeline then sends every record to the spool at once (for `metrics-mlflow replay`).
    if (!this.client)
      throw new ExportError('no MLflow tracking URI (set MLFLOW_TRACKING_URI or trackingUri); records go to the spool for `metrics-mlflow replay`', {
        isRetryable: false,
        offline: true,
      });
    return this.client;
  }

  prepare(run: RunInfo): void {
    this.runKey ??= validKey(run.resume?.runKey) ?? randomBytes(16).toString('hex');
    this.parentKey ??= validKey(run.resume?.parentKey) ?? this.parent?.runKey;
  }

  /**
   * An exporter for a child run (`Tracker.child`): a run of the same experiment tagged `mlflow.parentRunId` with
   * this run's id. Nested the way a rank's run is nested under its job's run (`start`, `adoptParent`).
   */
  child(_run: ChildRun): ExporterV1<MlflowNative> {
    // Never the parent's run: a run id given by option or MLFLOW_RUN_ID is this run's, not the child's.
    const env = { ...(this.options.env ?? process.env), MLFLOW_RUN_ID: undefined };
    return new MlflowExporter({ ...this.options, runId: undefined, env, logger: this.logger }, this);
  }

  replayCommand(spoolPath: string): string {
    return replayCommand(spoolPath, this.settings.trackingUri);
  }

  async start(run: RunInfo): Promise<ExportResult> {
    try {
      return await this.startRun(run);
    } finally {
      this.firstStartSettled();
    }
  }

  private async startRun(run: RunInfo): Promise<ExportResult> {
    try {
      const api = this.api();
      this.prepare(run);
      // A child run goes into its parent's experiment: wait (briefly) for the parent to know it.
      if (this.parent) await Promise.race([this.parent.firstStart, new Promise((r) => setTimeout(r, PARENT_WAIT_MS).unref())]);
      const resumeId = run.resume?.runId ?? this.settings.runId;
      if (resumeId) {
        await this.resumeRun(api, resumeId);
        // A restarted rank 0 of a job resumes ending its parent run too; a child not nested yet is, later.
        this.endsParent = run.rank === 0 && this.parentRunId !== undefined;
        if (run.rank !== undefined && run.group && this.parentRunId === undefined) this.parentKey = this.parentKeyFor(run.group);
        this.parentPending = this.parentRunId === undefined && this.parentKey !== undefined;
        return EXPORT_OK;
      }
      this.experimentId =
        this.parent?.experimentId ?? this.settings.experimentId ?? (await this.experimentIdFor(this.settings.experimentName ?? run.experiment));
      if (run.resume?.runKey || this.createSent) {
        // A handle taken before the run existed on the server, or an earlier attempt of this start whose answer
        // was lost (the server may have created the run): the run carries the key as a tag (or was never created).
        const found = await findRunByKey(api, this.experimentId, this.runKey!);
        if (found) {
          await this.resumeRun(api, found);
          this.parentPending = this.parentRunId === undefined && this.parentKey !== undefined;
          return EXPORT_OK;
        }
      }
      const user = this.settings.user ?? safeUser();
      const parentRunId =
        run.rank !== undefined && run.group ? await this.parentRunFor(api, run, run.group, user) : this.parentKey ? await this.childParentRun(api) : undefined;
      const tags: KeyValue[] = [
        { key: 'mlflow.runName', value: run.runName },
        { key: 'mlflow.user', value: user },
        { key: 'mlflow.source.name', value: this.settings.sourceName ?? basename(process.argv[1] ?? 'node') },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        ...(run.group ? [{ key: 'group', value: run.group }] : []),
        ...Object.entries(run.tags).map(([key, value]) => ({ key: this.sanitize(key), value: String(value) })),
        { key: RUN_KEY_TAG, value: this.runKey! },
        ...(parentRunId ? [{ key: 'mlflow.parentRunId', value: parentRunId }] : []),
      ];
      this.createSent = true;
      const created = await api.call<{ run: { info: { run_id: string; artifact_uri: string } } }>('POST', '/api/2.0/mlflow/runs/create', {
        experiment_id: this.experimentId,
        run_name: run.runName,
        user_id: user,
        start_time: Math.trunc(run.startTime),
        tags,
      });
      this.runId = created.run.info.run_id;
      this.artifactUri = created.run.info.artifact_uri;
      return EXPORT_OK;
    } catch (error) {
      return failure(error);
    }
  }

  /**
   * The parent run of a job whose every rank logs: one run per (experiment, group), found by a run key derived
   * from both. Rank 0 creates it (or, restarted, finds it); another rank only looks it up: when rank 0 has not
   * created it yet, the child starts without it and is attached later (`adoptParent`), so no rank ever waits
   * on another and two ranks never race to create two parents.
   */
  private async parentRunFor(api: MlflowClient, run: RunInfo, group: string, user: string): Promise<string | undefined> {
    this.parentKey = this.parentKeyFor(group);
    const found = await findRunByKey(api, this.experimentId!, this.parentKey);
    if (run.rank !== 0) {
      if (!found) this.parentPending = true;
      return (this.parentRunId = found);
    }
    this.endsParent = true;
    if (found) {
      // A restarted rank 0: the job runs again.
      await api.call('POST', '/api/2.0/mlflow/runs/update', { run_id: found, status: 'RUNNING' });
      return (this.parentRunId = found);
    }
    const created = await api.call<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', {
      experiment_id: this.experimentId,
      run_name: group,
      user_id: user,
      start_time: Math.trunc(run.startTime),
      tags: [
        { key: 'mlflow.runName', value: group },
        { key: 'mlflow.user', value: user },
        { key: 'group', value: group },
        { key: RUN_KEY_TAG, value: this.parentKey },
      ],
    });
    return (this.parentRunId = created.run.info.run_id);
  }

  /**
   * A child tracker's parent run: the parent exporter's run once it started, else (a replay, or a parent that
   * could not start yet) the run tagged with the parent's run key; when there is none yet, the child starts
   * without it and is nested later, like a rank's run (`adoptParent`).
   */
  private async childParentRun(api: MlflowClient): Promise<string | undefined> {
    const started = this.parent?.runId;
    if (started) return (this.parentRunId = started);
    const found = await findRunByKey(api, this.experimentId!, this.parentKey!);
    if (!found) this.parentPending = true;
    return (this.parentRunId = found);
  }

  private parentKeyFor(group: string): string {
    return createHash('sha256').update(`parent\0${this.experimentId}\0${group}`).digest('hex').slice(0, 32);
  }

  /**
   * A child run started before rank 0 created the parent: looks for it (at most every 2 s while exporting,
   * every 0.5 s until `deadline` at shutdown) and, once found, nests the child under it with the `mlflow.parentRunId` tag.
   */
  private async adoptParent(deadline = 0): Promise<void> {
    if (!this.parentPending || !this.client || !this.runId || !this.parentKey) return;
    for (;;) {
      if (Date.now() >= this.nextParentLookup) {
        this.nextParentLookup = Date.now() + (deadline > 0 ? 500 : 2_000);
        try {
          const found = await findRunByKey(this.client, this.experimentId!, this.parentKey);
          if (found) {
            await this.client.call('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: this.runId, key: 'mlflow.parentRunId', value: found });
            this.parentRunId = found;
            this.parentPending = false;
            return;
          }
        } catch {
          // the server is busy or down: looked up again later
        }
      }
      if (Date.now() >= deadline) return;
      await new Promise((r) => setTimeout(r, Math.min(500, deadline - Date.now())));
    }
  }

  private async resumeRun(api: MlflowClient, runId: string): Promise<void> {
    const got = await api.call<{
      run: {
        info: { run_id: string; experiment_id: string; artifact_uri: string };
        data?: { params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
      };
    }>('GET', `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`);
    // Params already on the run, so a changed value is caught here with a clear message.
    for (const p of got.run.data?.params ?? []) this.params.set(p.key, p.value);
    const key = got.run.data?.tags?.find((t) => t.key === RUN_KEY_TAG)?.value;
    this.tables.seed(got.run.data?.tags?.find((t) => t.key === LOGGED_ARTIFACTS_TAG)?.value);
    if (key) this.runKey = key;
    this.parentRunId ??= got.run.data?.tags?.find((t) => t.key === 'mlflow.parentRunId')?.value;
    this.runId = got.run.info.run_id;
    this.experimentId = got.run.info.experiment_id;
    this.artifactUri = got.run.info.artifact_uri;
    await api.call('POST', '/api/2.0/mlflow/runs/update', { run_id: this.runId, status: 'RUNNING' });
  }

  /** get-by-name → create → on a race, get-by-name again; a deleted experiment of that name is a clear error. */
  private async experimentIdFor(name: string): Promise<string> {
    const api = this.api();
    const byName = async () => {
      try {
        const r = await api.call<{ experiment: { experiment_id: string; lifecycle_stage: string } }>(
          'GET',
          `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
        );
        if (r.experiment.lifecycle_stage === 'deleted')
          throw new MlflowApiError(`MLflow experiment "${name}" is deleted; restore it (mlflow experiments restore) or choose another name`, 'DELETED', {
            isRetryable: false,
          });
        return r.experiment.experiment_id;
      } catch (error) {
        if (MlflowApiError.isInstance(error) && error.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw error;
      }
    };
    const existing = await byName();
    if (existing) return existing;
    try {
      return (await api.call<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name })).experiment_id;
    } catch (error) {
      if (MlflowApiError.isInstance(error) && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const raced = await byName();
        if (raced) return raced;
      }
      throw error;
    }
  }

  async export(batch: readonly TrackingRecord[]): Promise<ExportResult> {
    if (batch.length === 0) return EXPORT_OK;
    let api: MlflowClient;
    try {
      api = this.api();
    } catch (error) {
      return failure(error);
    }
    const metrics: { m: MlflowMetric; i: number }[] = [];
    const params: { kv: KeyValue; i: number }[] = [];
    const tags: { kv: KeyValue; i: number }[] = [];
    const files: { i: number; path: string; bytes?: Uint8Array; localPath?: string }[] = [];
    const datasets: { input: DatasetInput; i: number }[] = [];
    /** A request the server can never accept (400): reported, not retried, and not blocking the rest. */
    let permanent: Error | undefined;
    /** Indices of records the server rejected for good: reported to the pipeline, which counts them as failed. */
    const rejected = new Set<number>();
    const batchParams = new Set<string>();
    /** The last record of the batch that added a table (the loggedArtifacts tag goes with it), or -1. */
    let tablesAt = -1;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      switch (r.kind) {
        case 'scalar':
          metrics.push({ m: toMetric(r, this.sanitize), i });
          break;
        case 'hparams':
          for (const [k, v] of Object.entries(r.params)) {
            const kv = { key: this.sanitize(k), value: paramValue(v) };
            const before = this.params.get(kv.key);
            if (before !== undefined && before !== kv.value) {
              // Permanent: reported once, the rest of the batch is still delivered (a retry could never succeed).
              permanent ??= new MlflowApiError(
                `MLflow params are immutable: "${kv.key}" was "${before}", cannot change it to "${kv.value}" (log it as a metric or a tag instead)`,
                'INVALID_PARAMETER_VALUE',
                { isRetryable: false },
              );
              rejected.add(i);
              continue;
            }
            this.params.set(kv.key, kv.value);
            if (batchParams.has(kv.key)) continue; // the server rejects a key twice in one request
            batchParams.add(kv.key);
            params.push({ kv, i });
          }
          if (r.metrics.length) tags.push({ kv: { key: 'metrics.compare', value: r.metrics.join(',') }, i });
          break;
        case 'config':
          files.push({ i, path: 'config.json', bytes: Buffer.from(JSON.stringify(r.config, null, 2)) });
          break;
        case 'summary':
          // MLflow has no run summary; a metric point would add a spurious entry to the history, so tags.
          for (const [k, v] of Object.entries(r.values)) tags.push({ kv: { key: `summary.${this.sanitize(k)}`, value: String(v).slice(0, 8000) }, i });
          break;
        case 'text':
          files.push({ i, path: `text/${this.sanitize(r.name)}/step_${r.step}.md`, bytes: Buffer.from(r.text) });
          break;
        case 'image': {
          for (const file of imageArtifacts(r, this.sanitize)) files.push({ i, ...file });
          if (!this.imagesTagged) {
            // The run page shows its image gallery only for runs with this tag.
            tags.push({ kv: { key: 'mlflow.loggedImages', value: 'True' }, i });
            this.imagesTagged = true;
          }
          break;
        }
        case 'artifact':
          files.push({ i, path: r.artifactPath, localPath: r.localPath });
          break;
        case 'table':
        case 'pr_curve':
        case 'confusion_matrix': {
          const table = r.kind === 'table' ? r : r.kind === 'pr_curve' ? prCurveTable(r) : confusionTable(r);
          const path = tablePath(this.sanitize(r.name), r.step);
          files.push({ i, path, bytes: tableJson(table.columns, table.rows) });
          if (this.tables.add(path)) tablesAt = i;
          if (r.kind !== 'table') {
            // The curve or matrix as a picture too, in the run page's image gallery (MLflow has no chart for them).
            const image = r.kind === 'pr_curve' ? renderPrCurve(r, r.name) : renderConfusionMatrix(r.counts, r.classNames, r.name);
            for (const file of imageArtifacts({ kind: 'image', name: r.name, step: r.step, wallTime: r.wallTime, image }, this.sanitize))
              files.push({ i, ...file });
            if (!this.imagesTagged) {
              tags.push({ kv: { key: 'mlflow.loggedImages', value: 'True' }, i });
              this.imagesTagged = true;
            }
          }
          break;
        }
        case 'audio':
          files.push({ i, path: `audio/${this.sanitize(r.name)}/step_${r.step}.wav`, bytes: r.wav });
          break;
        case 'tags':
          for (const [k, v] of Object.entries(r.tags)) tags.push({ kv: { key: this.sanitize(k), value: v }, i });
          break;
        case 'dataset':
          datasets.push({ input: datasetInput(r), i });
          break;
        case 'note':
          tags.push({ kv: { key: NOTE_TAG, value: r.text.slice(0, 8000) }, i });
          if (r.text.length > 8000) this.logger.warnOnce('mlflow-note-long', 'MLflow: a note longer than 8000 characters is cut there (the tag limit).');
          break;
        default:
          break;
      }
    }
    if (this.parentPending && !this.adopting) this.adopting = this.adoptParent().finally(() => (this.adopting = undefined));
    if (tablesAt >= 0) {
      // One tag per batch with every table so far (the whole list: a tag is replaced, not appended to).
      tags.push({ kv: { key: LOGGED_ARTIFACTS_TAG, value: this.tables.tagValue() }, i: tablesAt });
      if (this.tables.dropped > 0)
        this.logger.warnOnce(
          'mlflow-tables-tag',
          `MLflow: the ${LOGGED_ARTIFACTS_TAG} tag is full (8000 characters); the oldest tables leave it ` +
            '(their files stay under tables/, but mlflow.load_table no longer finds them).',
        );
    }
    const requests = packLogBatches(metrics, params, lastTagPerKey(tags));
    for (let k = 0; k < requests.length; k++) {
      const { records, ...body } = requests[k]!;
      try {
        await api.call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: this.runId, ...body });
      } catch (error) {
        const f = failure(error);
        if (!f.retryable) {
          permanent ??= f.error;
          for (const i of records) rejected.add(i);
          continue;
        }
        const pending = new Set<number>();
        for (let j = k; j < requests.length; j++) for (const i of requests[j]!.records) pending.add(i);
        for (const file of files) pending.add(file.i);
        return { ...f, remaining: batch.filter((_, i) => pending.has(i)) };
      }
    }
    if (datasets.length > 0) {
      // One request for the batch's datasets (logging the same dataset and context again is a no-op on the server).
      try {
        await api.call('POST', '/api/2.0/mlflow/runs/log-inputs', { run_id: this.runId, datasets: datasets.map((d) => d.input) });
      } catch (error) {
        const f = failure(error);
        if (!f.retryable) {
          permanent ??= f.error;
          for (const d of datasets) rejected.add(d.i);
        } else {
          const pending = new Set([...datasets.map((d) => d.i), ...files.map((x) => x.i)]);
          return { ...f, remaining: batch.filter((_, i) => pending.has(i)) };
        }
      }
    }
    for (let n = 0; n < files.length; n++) {
      const f = files[n]!;
      try {
        if (f.bytes) await this.upload(f.path, f.bytes);
        else await this.uploadPath(f.localPath!, f.path);
      } catch (error) {
        const f2 = failure(error);
        const local = (error as NodeJS.ErrnoException).code;
        if (local === 'ENOENT' || local === 'EACCES') {
          this.logger.errorOnce(`mlflow-artifact:${f.localPath}`, `MLflow: cannot read artifact ${f.localPath}: ${local}`);
          continue; // a missing local file will not appear by retrying
        }
        if (!f2.retryable) {
          permanent ??= f2.error;
          rejected.add(f.i);
          continue;
        }
        const pending = new Set(files.slice(n).map((x) => x.i));
        return { ...f2, remaining: batch.filter((_, i) => pending.has(i)) };
      }
    }
    // Everything deliverable was delivered; the rejected rest can never be, and is counted as failed.
    return permanent ? failure(permanent, { retryable: false, remaining: batch.filter((_, i) => rejected.has(i)) }) : EXPORT_OK;
  }

  /** Artifact proxy: PUT /api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>. */
  private async upload(path: string, bytes: Uint8Array): Promise<void> {
    const prefix = this.artifactPrefix();
    const clean = path
      .split('/')
      .filter((s) => s && s !== '.' && s !== '..')
      .map(encodeURIComponent)
      .join('/');
    await this.api().call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${prefix}/${clean}`, undefined, bytes);
  }

  private async uploadPath(localPath: string, artifactPath: string): Promise<void> {
    const s = await stat(localPath);
    if (!s.isDirectory()) return this.upload(join(artifactPath, basename(localPath)), await readFile(localPath));
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile()) await this.upload(join(artifactPath, basename(localPath), relative(localPath, full)), await readFile(full));
      }
    };
    await walk(localPath);
  }

  private artifactPrefix(): string {
    const uri = this.artifactUri ?? '';
    if (!uri.startsWith('mlflow-artifacts:'))
      throw new MlflowApiError(
        `MLflow run artifact URI "${uri}" is not served by the tracking server (start it with --serve-artifacts)`,
        'UNSUPPORTED_ARTIFACT_STORE',
        { isRetryable: false },
      );
    return uri.replace(/^mlflow-artifacts:(\/\/[^/]+)?\/*/, '');
  }

  async forceFlush(): Promise<void> {}

  async shutdown(outcome: RunOutcome): Promise<void> {
    await this.adopting;
    await this.adoptParent(Date.now() + 10_000);
    if (this.client && this.runId) {
      const status = outcome.status === 'finished' ? 'FINISHED' : outcome.status === 'killed' ? 'KILLED' : 'FAILED';
      try {
        await this.client.callWithRetry('POST', '/api/2.0/mlflow/runs/update', { run_id: this.runId, status, end_time: Date.now() }, { deadlineMs: 10_000 });
        if (this.endsParent && this.parentRunId)
          await this.client.callWithRetry(
            'POST',
            '/api/2.0/mlflow/runs/update',
            { run_id: this.parentRunId, status, end_time: Date.now() },
            { deadlineMs: 10_000 },
          );
      } catch (error) {
        this.logger.errorOnce('mlflow-end', `MLflow: could not end run ${this.runId} as ${status}: ${(error as Error).message}`);
      }
    }
    await this.client?.close();
  }

  runIds(): Record<string, string> {
    return {
      ...(this.runKey ? { runKey: this.runKey } : {}),
      ...(this.runId ? { runId: this.runId } : {}),
      ...(this.runId && this.experimentId ? { experimentId: this.experimentId } : {}),
      ...(this.parentRunId ? { parentRunId: this.parentRunId } : {}),
      ...(this.parentKey ? { parentKey: this.parentKey } : {}),
    };
  }

  /** The run's page in the MLflow UI, or, for spooled records, the replay command. */
  describeRun({ spoolPath }: { spoolPath?: string }): RunDescription | undefined {
    // Never print credentials a URI may carry (https://user:pass@host).
    const uri = this.settings.trackingUri === undefined ? undefined : withoutUrlCredentials(this.settings.trackingUri);
    if (spoolPath !== undefined)
      return { location: spoolPath, commands: [`metrics-mlflow replay ${shellQuote(spoolPath)}${uri ? ` --tracking-uri ${shellQuote(uri)}` : ''}`] };
    if (!uri || !this.runId) return undefined;
    const page = `${uri}/#/experiments/${this.experimentId ?? '0'}/runs/${this.runId}`;
    return { location: page };
  }

  native(): MlflowNative {
    return {
      client: this.client,
      runId: this.runId,
      experimentId: this.experimentId,
      artifactUri: this.artifactUri,
      parentRunId: this.parentRunId,
      registry: this.registry,
      registerModel: async (name, artifactPath, options) => {
        if (!this.registry) this.api();
        const runId = this.runId;
        const version = await this.registry!.registerModel(name, artifactPath, options);
        return { ...version, runId: version.runId ?? runId! };
      },
    };
  }
}

/** A tag set twice in one batch (two `setTags` calls): only the later value is sent, once. */
function lastTagPerKey<T extends { kv: KeyValue }>(tags: T[]): T[] {
  const last = new Map<string, number>();
  tags.forEach((t, n) => last.set(t.kv.key, n));
  return last.size === tags.length ? tags : tags.filter((t, n) => last.get(t.kv.key) === n);
}

function validKey(key: string | undefined): string | undefined {
  return typeof key === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(key) ? key : undefined;
}

function safeUser(): string {
  try {
    return process.env.USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Images where MLflow's own `log_image(key=…, step=…)` puts them, so the run page's image gallery (with its
 * step slider) shows them: `images/<key, / as ~>+step+<step>+timestamp+<ms>+<id>.png` and a thumbnail named
 * `…+compressed.webp`. We have no WebP encoder; browsers sniff image bytes, so the PNG serves as thumbnail.
 * The id is derived from the record, so a retried upload overwrites instead of adding a copy.
 */
function imageArtifacts(r: ImageRecord, sanitize: (k: string) => string): { path: string; bytes: Uint8Array }[] {
  const { bytes, extension } = imageFile(r.image);
  const key = sanitize(r.name).replace(/\//g, '~');
  const timestamp = Math.trunc(r.wallTime);
  const h = createHash('sha256').update(`${r.name}\0${r.step}\0${timestamp}`).digest('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  const base = `images/${key}+step+${r.step}+timestamp+${timestamp}+${id}`;
  return [
    { path: `${base}.${extension}`, bytes },
    { path: `${base}+compressed.webp`, bytes },
  ];
}
