import { hostname } from 'node:os';
import { ExportError, createLogger } from '@metrics/core';
import type { Logger, RunOutcome } from '@metrics/core';
import { EXPORT_OK, failure, SPECIFICATION_VERSION, errorMessage } from '@metrics/core/backend';
import type { BackendQueueStats, RunDescription, ExporterV1, ExportResult, RunInfo, TrackingRecord } from '@metrics/core/backend';
import { ConsoleCapture, type ConsoleCaptureStats } from '../console/capture.js';
import { outputLogLine } from '../console/output-log.js';
import { numberJson, secondsJson, toJson } from '../json.js';
import type { MediaFile } from '../media/values.js';
import { WANDB_CAPABILITIES } from '../offline/offline-exporter.js';
import { chooseRunId } from '../run-id.js';
import { RunState, configYaml, rowItems, rowJson, wrappedConfigJson } from '../run-state.js';
import { exitCodeOf, tagsFrom, type ResolvedSettings } from '../settings.js';
import { skippedResult } from '../skipped.js';
import { FileStream } from './file-stream.js';
import { WandbGraphql, type BucketInfo } from './graphql.js';
import type { HttpClient } from '@metrics/core/http';
import { createWandbHttp } from './http.js';
import { uploadArtifact } from './artifact-upload.js';
import { ArtifactProblem, prepareArtifact } from '../artifacts/manifest.js';
import type { WandbArtifactRecord } from '../artifacts/dataset.js';
import type { SkippedRecord } from '../run-state.js';

export interface OnlineNative {
  readonly mode: 'online';
  readonly runId: string | undefined;
  readonly entity: string | undefined;
  readonly project: string | undefined;
  /** The run's page, e.g. https://wandb.ai/<entity>/<project>/runs/<id>. */
  readonly url: string | undefined;
  readonly fileStream: FileStream | undefined;
  /** Console capture counts (`console: 'wrap'`), else undefined. */
  readonly console: ConsoleCaptureStats | undefined;
  /**
   * HTTP requests retried by this client (429, 5xx, dropped connections), by kind. The pipeline's
   * `stats().retried` does not see these: file_stream and uploads retry on their own, after `export`.
   */
  readonly retries: Readonly<RetryCounts>;
}

export interface RetryCounts {
  graphql: number;
  fileStream: number;
  upload: number;
}

/** Streams a run to a W&B server: UpsertBucket, paced file_stream, signed-URL uploads, complete + exit code. */
export class OnlineWandbExporter implements ExporterV1<OnlineNative> {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name = 'wandb';
  readonly capabilities = WANDB_CAPABILITIES;
  private readonly http: HttpClient;
  private readonly gql: WandbGraphql;
  private bucket: BucketInfo | undefined;
  private state: RunState | undefined;
  private stream: FileStream | undefined;
  private info: RunInfo | undefined;
  private runId: string | undefined;
  /** Chosen at tracker creation (`prepare`), so the run handle carries it before the run exists. */
  private plannedRunId: string | undefined;
  private configDirty = false;
  /** The run's tags as key/value (the tracker's, then `setTags`'), sent as W&B's list on each change. */
  private tags: Record<string, string> = {};
  private console: ConsoleCapture | undefined;
  /** Side requests (media, config) that failed for good. */
  failures = 0;
  private shutDown = false;
  private readonly retries: RetryCounts = { graphql: 0, fileStream: 0, upload: 0 };

  constructor(
    private readonly settings: ResolvedSettings,
    private readonly logger: Logger = createLogger(),
  ) {
    this.http = createWandbHttp({
      apiKey: settings.apiKey ?? '',
      retry: settings.retry,
      timeoutMs: settings.requestTimeoutMs,
      onRetry: (what, error, attempt, delayMs) => {
        this.retries[what === 'file_stream' ? 'fileStream' : what.startsWith('GraphQL') ? 'graphql' : 'upload']++;
        this.logger.warnOnce(
          `wandb-retry-${what}-${error.statusCode ?? 'net'}`,
          `${what} failed (${error.message}); retrying in ${Math.round(delayMs / 100) / 10} s (attempt ${attempt}).`,
        );
      },
    });
    this.gql = new WandbGraphql(this.http, settings.baseUrl);
  }

  private fail(what: string, error: unknown): ExportResult {
    return failure(ExportError.isInstance(error) ? error : new ExportError(this.http.scrub(`${what}: ${errorMessage(error)}`)));
  }

  prepare(info: RunInfo): void {
    this.plannedRunId ??= chooseRunId(info, this.settings.runId);
  }

  async start(info: RunInfo): Promise<ExportResult> {
    if (this.bucket) return EXPORT_OK;
    if (!this.settings.apiKey) return failure(new ExportError('W&B online mode needs an API key (WANDB_API_KEY or option apiKey)', { isRetryable: false }));
    const s = this.settings;
    try {
      const runId = (this.plannedRunId ??= chooseRunId(info, s.runId));
      const project = s.project ?? info.experiment;
      const resumeMode = s.resume ?? (info.resume?.runId ? 'allow' : undefined);
      let firstRow = 0;
      let offsets = { history: 0, events: 0, output: 0 };
      let priorSummary: Record<string, unknown> = {};
      if (resumeMode) {
        const status = await this.gql.resumeStatus(project, s.entity, runId);
        if (resumeMode === 'must' && !status.exists) throw new ExportError(`W&B run ${runId} does not exist, and resume is "must"`, { isRetryable: false });
        if (resumeMode === 'never' && status.exists) throw new ExportError(`W&B run ${runId} already exists, and resume is "never"`, { isRetryable: false });
        if (status.exists) {
          firstRow = status.lastStep + 1;
          offsets = { history: status.historyLineCount, events: status.eventsLineCount, output: status.logLineCount };
          priorSummary = status.summary;
        }
      }
      const state = new RunState({ startTime: info.startTime, stepMetric: s.stepMetric, firstRow, systemPrefix: s.systemPrefix });
      for (const [k, v] of Object.entries(priorSummary)) if (!k.startsWith('_wandb')) state.setSummaryJson(k, toJson(v));
      this.bucket = await this.gql.upsertBucket({
        name: runId,
        project,
        entity: s.entity,
        displayName: info.runName,
        groupName: info.group,
        tags: tagsFrom(info.tags),
        jobType: s.jobType,
        notes: s.notes,
        host: hostname(),
        config: wrappedConfigJson(state.config, this.wandbMeta()),
      });
      this.state = state;
      this.info = info;
      this.tags = { ...info.tags };
      this.runId = runId;
      const b = this.bucket;
      this.stream = new FileStream(
        this.http,
        `${s.baseUrl}/files/${enc(b.entity)}/${enc(b.project)}/${enc(runId)}/file_stream`,
        s.fileStream,
        this.logger,
        offsets,
      );
      this.logger.info(`W&B run ${runId}: ${this.runUrl()}`);
      if (s.console === 'wrap') {
        const stream = this.stream;
        this.console = new ConsoleCapture({ deliver: (lines) => stream.addOutput(lines.map(outputLogLine)), logger: this.logger }).start();
      }
      return EXPORT_OK;
    } catch (error) {
      return this.fail('Creating the W&B run', error);
    }
  }

  /** `_wandb` config: the metric definitions that make our step column every chart's x-axis. */
  private wandbMeta(): Record<string, unknown> {
    // Same shape wandb writes for define_metric(step) + define_metric('*', step_metric=step): "1" name,
    // "2" glob, "5" 1-based index of the step metric, "6" options (1 step_sync, 3 defined).
    const meta: Record<string, unknown> = {
      m: [
        { '1': this.settings.stepMetric, '6': [3], '7': [] },
        { '2': '*', '5': 1, '6': [1], '7': [] },
      ],
    };
    // Chart presets of logPrCurve / logConfusionMatrix, as wandb.plot sets them.
    if (this.state && this.state.visualize.size > 0) meta.visualize = Object.fromEntries(this.state.visualize);
    return meta;
  }

  /** Tags or notes set during the run (`setTags`, `setNote`): the run updated with the whole tag list. */
  private async pushRunUpdate(tags: Record<string, string> | undefined, note: string | undefined): Promise<void> {
    if (!this.bucket) return;
    if (tags) Object.assign(this.tags, tags);
    await this.gql.upsertBucket({
      id: this.bucket.id,
      name: this.runId!,
      project: this.bucket.project,
      entity: this.bucket.entity,
      ...(tags ? { tags: tagsFrom(this.tags) } : {}),
      ...(note !== undefined ? { notes: note } : {}),
    });
  }

  /** The run's page. */
  describeRun(): RunDescription | undefined {
    const url = this.runUrl();
    return url ? { location: url } : undefined;
  }

  private runUrl(): string | undefined {
    const b = this.bucket;
    if (!b) return undefined;
    let app = this.settings.baseUrl.replace('://api.wandb.', '://wandb.');
    if (app === this.settings.baseUrl) app = app.replace(/:\/\/api\./, '://app.');
    return `${app}/${b.entity}/${b.project}/runs/${this.runId}`;
  }

  async export(batch: readonly TrackingRecord[]): Promise<ExportResult> {
    if (!this.state || !this.stream) return failure(new ExportError('W&B run not started', { isRetryable: true }));
    if (batch.length === 0) return EXPORT_OK;
    let effects;
    try {
      effects = this.state.apply(batch);
    } catch (error) {
      return this.fail('Preparing W&B history', error);
    }
    // From here the rows are numbered: a failure must not make the pipeline resend the batch (that would
    // duplicate rows), so side requests that failed for good are reported once and the rows still go out.
    if (effects.media.length > 0)
      await this.upload(effects.media).catch((error: unknown) => this.reportOnce('wandb-media', 'Uploading W&B media failed', error));
    if (effects.config.length > 0) this.configDirty = true;
    if (effects.rows.length > 0) this.stream.addHistory(effects.rows.map((r) => rowJson(rowItems(r, this.settings.stepMetric))));
    if (effects.system.length > 0) {
      const state = this.state;
      this.stream.addEvents(
        effects.system.map((s) =>
          rowJson([
            ...s.items,
            { key: '_wandb', valueJson: 'true' },
            { key: '_timestamp', valueJson: secondsJson(s.wallTime) },
            { key: '_runtime', valueJson: numberJson(state.runtimeSeconds(s.wallTime)) },
          ]),
        ),
      );
    }
    if (effects.summary.length > 0) this.stream.setSummary(this.state.summaryJson());
    if (this.configDirty) await this.pushConfig().catch((error: unknown) => this.reportOnce('wandb-config', 'Updating the W&B config failed', error));
    if (effects.tags || effects.note !== undefined)
      await this.pushRunUpdate(effects.tags, effects.note).catch((error: unknown) =>
        this.reportOnce('wandb-run-update', 'Updating the W&B run tags/notes failed', error),
      );
    for (const artifact of effects.artifacts ?? []) await this.logArtifact(artifact, effects.skipped);
    return skippedResult(effects.skipped, batch.length, this.logger) ?? EXPORT_OK;
  }

  /** One artifact created, uploaded and committed (and used, for an input); one that cannot be made is skipped. */
  private async logArtifact(record: WandbArtifactRecord, skipped: SkippedRecord[]): Promise<void> {
    let prepared;
    try {
      prepared = prepareArtifact(record);
    } catch (error) {
      // Never throws out of export: an artifact that cannot be read is this record's problem only.
      skipped.push({ record, error: error instanceof Error ? error : new ArtifactProblem(String(error)) });
      return;
    }
    const b = this.bucket!;
    try {
      const id = await uploadArtifact(this.gql, this.http, { entity: b.entity, project: b.project, runName: this.runId! }, prepared);
      this.logger.debug?.(`W&B artifact ${prepared.name} (${prepared.type}) logged as ${id}.`);
    } catch (error) {
      this.reportOnce(`wandb-artifact:${prepared.name}`, `Logging the W&B artifact "${prepared.name}" failed`, error);
    }
  }

  private reportOnce(key: string, what: string, error: unknown): void {
    this.failures++;
    this.logger.errorOnce(key, `${what}: ${this.http.scrub(errorMessage(error))}`);
  }

  private async pushConfig(): Promise<void> {
    if (!this.bucket || !this.state) return;
    this.configDirty = false;
    // The next batch tries again if this fails.
    await this.gql.upsertBucket({
      id: this.bucket.id,
      name: this.runId!,
      project: this.bucket.project,
      entity: this.bucket.entity,
      config: wrappedConfigJson(this.state.config, this.wandbMeta()),
    });
  }

  /** CreateRunFiles for signed URLs, PUT each file (no W&B credentials to the storage host), then report them. */
  private async upload(files: readonly MediaFile[]): Promise<void> {
    const b = this.bucket!;
    const { targets, headers } = await this.gql.createRunFiles(
      b.entity,
      b.project,
      this.runId!,
      files.map((f) => f.path),
    );
    const byName = new Map(targets.map((t) => [t.name, t.uploadUrl]));
    const done: string[] = [];
    for (const f of files) {
      const url = byName.get(f.path);
      if (!url) {
        this.logger.warnOnce(`wandb-no-url-${f.path}`, `The W&B server gave no upload URL for ${f.path}; skipped.`);
        continue;
      }
      // No W&B credentials to the storage host: only the headers the server asked for.
      const uploadHeaders = { ...headers, 'Content-Type': 'application/octet-stream' };
      await this.http.request({ method: 'PUT', url, body: f.bytes, what: `upload ${f.path}`, headers: uploadHeaders, bare: true });
      done.push(f.path);
    }
    this.stream?.markUploaded(done);
  }

  async forceFlush(): Promise<void> {
    try {
      this.console?.drain();
      if (this.configDirty) await this.pushConfig();
      await this.stream?.flush();
    } catch (error) {
      this.logger.errorOnce('wandb-flush', `Flushing to W&B failed: ${this.http.scrub(errorMessage(error))}`);
    }
  }

  async shutdown(outcome: RunOutcome): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    try {
      await this.finishRun(outcome);
    } finally {
      await this.http.close().catch(() => {}); // the keep-alive pool must not hold the process open
    }
  }

  private async finishRun(outcome: RunOutcome): Promise<void> {
    try {
      this.console?.stop(); // restores stdout/stderr; the last lines go out with the final request
    } catch (error) {
      this.logger.errorOnce('wandb-console-stop', `Stopping console capture failed: ${errorMessage(error)}`);
    }
    const state = this.state;
    const stream = this.stream;
    if (!state || !stream || !this.bucket) return;
    const end = Math.max(Date.now(), state.lastWallTime);
    const exitCode = exitCodeOf(outcome);
    try {
      stream.setSummary(state.summaryJson(end));
      await this.gql.upsertBucket({
        id: this.bucket.id,
        name: this.runId!,
        project: this.bucket.project,
        entity: this.bucket.entity,
        config: wrappedConfigJson(state.config, this.wandbMeta()),
        summaryMetrics: state.summaryJson(end),
      });
      await this.upload([
        { path: 'config.yaml', bytes: Buffer.from(configYaml(state.config, this.wandbMeta())) },
        { path: 'wandb-summary.json', bytes: Buffer.from(state.summaryJson(end)) },
      ]);
    } catch (error) {
      this.logger.errorOnce('wandb-finish', `Finishing the W&B run: ${this.http.scrub(errorMessage(error))}`);
    }
    try {
      await stream.finish(exitCode);
      if (stream.stats.failedRequests === 0) this.logger.success(`W&B run ${this.runId} complete (exit code ${exitCode}).`);
    } catch (error) {
      this.logger.errorOnce('wandb-complete', `Completing the W&B run failed: ${this.http.scrub(errorMessage(error))}`);
    } finally {
      stream.close();
    }
  }

  /** file_stream's queue, this client's HTTP retries, and what was lost after `export` (shown in `stats()`). */
  queueStats(): BackendQueueStats {
    const stream = this.stream?.stats;
    return {
      queued: this.stream?.queuedLines ?? 0,
      retried: this.retries.graphql + this.retries.fileStream + this.retries.upload,
      dropped: stream?.droppedLines ?? 0,
      failed: (stream?.failedRequests ?? 0) + this.failures,
    };
  }

  runIds(): Record<string, string> {
    const runId = this.runId ?? this.plannedRunId;
    return runId ? { runId } : {};
  }

  native(): OnlineNative {
    return {
      mode: 'online',
      runId: this.runId,
      entity: this.bucket?.entity,
      project: this.bucket?.project,
      url: this.runUrl(),
      fileStream: this.stream,
      console: this.console ? { ...this.console.stats } : undefined,
      retries: { ...this.retries },
    };
  }
}

const enc = encodeURIComponent;
