import { ExportError, createLogger } from '@metrics/core';
import type { Logger, RunOutcome } from '@metrics/core';
import { EXPORT_OK, failure, kindsExcept, withOptInKinds, classifyError, SPECIFICATION_VERSION, errorMessage, shellQuote } from '@metrics/core/backend';
import type { ExporterV1, ExportResult, RunDescription, RunInfo, TrackingRecord } from '@metrics/core/backend';
import { ConsoleCapture, type ConsoleCaptureStats } from '../console/capture.js';
import { chooseRunId } from '../run-id.js';
import { RunState, configYaml } from '../run-state.js';
import { exitCodeOf, tagsFrom, type ResolvedSettings } from '../settings.js';
import { skippedResult } from '../skipped.js';
import { ArtifactProblem } from '../artifacts/manifest.js';
import { OfflineRun, lastOfflineStep } from './offline-run.js';

/** Every kind: artifacts are W&B artifacts (offline: staged files and an `artifact` record; online: uploaded and committed). */
/** Every kind, and `logDataset`'s data sets (as `dataset` artifacts the run used). */
export const WANDB_CAPABILITIES = withOptInKinds(kindsExcept(), 'dataset');

export interface OfflineNative {
  readonly mode: 'offline';
  /** The run directory (`…/wandb/offline-run-<stamp>-<id>`) once started. */
  readonly runDir: string | undefined;
  readonly wandbFile: string | undefined;
  readonly runId: string | undefined;
  /** Console capture counts (`console: 'wrap'`), else undefined. */
  readonly console: ConsoleCaptureStats | undefined;
  /** Where the `.wandb` log is encoded and written: a worker thread, or the caller's thread. */
  readonly writer: 'thread' | 'inline' | undefined;
}

/**
 * Longest an inline export waits for a writer thread that is far behind: not at all. The caller's loop would
 * otherwise wait at the writer's pace, up to this long per batch; "not now" instead lets the pipeline keep
 * the batch (queue, then spool) and hand it over once the writer has room.
 */
const SYNC_WAIT_MS = 0;
const NOT_STARTED: ExportResult = failure(new ExportError('W&B offline run not started', { isRetryable: true }));

/** Writes an offline run that `wandb sync` uploads. */
export class OfflineWandbExporter implements ExporterV1<OfflineNative> {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly name = 'wandb';
  readonly capabilities = WANDB_CAPABILITIES;
  private run: OfflineRun | undefined;
  private state: RunState | undefined;
  private runId: string | undefined;
  /** Chosen at tracker creation (`prepare`), so the run handle carries it before the run exists. */
  private plannedRunId: string | undefined;
  private console: ConsoleCapture | undefined;
  private failed = false;
  /** The run's tags as key/value (the tracker's, then `setTags`'), turned into W&B's list on each change. */
  private tags: Record<string, string> = {};

  /**
   * With the writer thread, `exportSync` only applies the batch to the run state and posts it to the thread:
   * the pipeline hands each batch over as it is sealed, so the thread encodes and writes beside the caller's
   * loop (also one that never yields) instead of after it.
   */
  get exportSyncOnSeal(): boolean {
    return !this.failed && (this.run ? this.run.writer === 'thread' : this.settings.offlineWriter !== 'inline');
  }

  constructor(
    private readonly settings: ResolvedSettings,
    private readonly logger: Logger = createLogger(),
  ) {}

  prepare(info: RunInfo): void {
    this.plannedRunId ??= chooseRunId(info, this.settings.runId);
  }

  async start(info: RunInfo): Promise<ExportResult> {
    return this.startSync(info);
  }

  /** Creates the run directory and its log now (local; the pipeline may call it inline). */
  startSync(info: RunInfo): ExportResult {
    if (this.run) return EXPORT_OK;
    try {
      const s = this.settings;
      const runId = (this.plannedRunId ??= chooseRunId(info, s.runId));
      const firstRow = info.resume?.runId || s.resume ? lastOfflineStep(s.rootDir, runId) + 1 : 0;
      this.state = new RunState({ startTime: info.startTime, stepMetric: s.stepMetric, firstRow, systemPrefix: s.systemPrefix });
      this.run = new OfflineRun({
        rootDir: s.rootDir,
        stepMetric: s.stepMetric,
        writer: s.offlineWriter,
        fsyncOnClose: s.fsyncOnClose,
        run: {
          runId,
          entity: s.entity,
          project: s.project ?? info.experiment,
          displayName: info.runName,
          group: info.group,
          tags: tagsFrom(info.tags),
          jobType: s.jobType,
          notes: s.notes,
          startTime: info.startTime,
          config: [{ key: '_wandb', valueJson: '{}' }],
        },
      });
      this.runId = runId;
      this.tags = { ...info.tags };
      this.run.writeDocuments({ configYaml: configYaml(this.state.config) });
      this.logger.info(`W&B offline run ${runId} in ${this.run.runDir}; upload it with: wandb sync ${this.run.runDir}`);
      if (s.console === 'wrap') {
        const run = this.run;
        // Lines become `output_raw` records, which `wandb sync` turns into the run's output.log.
        this.console = new ConsoleCapture({ deliver: (lines) => run.writeOutput(lines), logger: this.logger }).start();
      }
      return EXPORT_OK;
    } catch (error) {
      // Same rule as every local writer: an unwritable directory is final, a transient error is retried.
      const { retryable } = classifyError(error);
      return failure(new ExportError(`Could not create the W&B offline run: ${errorMessage(error)}`, { cause: error, isRetryable: retryable }));
    }
  }

  async export(batch: readonly TrackingRecord[]): Promise<ExportResult> {
    if (!this.run || !this.state) return NOT_STARTED;
    if (batch.length === 0) return EXPORT_OK;
    try {
      const effects = this.state.apply(batch);
      const behind = this.run.write(effects);
      if (behind) await behind; // the writer is far behind: wait, so memory stays bounded
      return this.afterWrite(effects, batch.length);
    } catch (error) {
      return this.writeFailed(error);
    }
  }

  /** What both export paths do once the effects are handed to the writer: config.yaml, and skipped records counted. */
  private afterWrite(effects: ReturnType<RunState['apply']>, records: number): ExportResult {
    for (const artifact of effects.artifacts ?? []) {
      try {
        void this.run!.writeArtifact(artifact)?.catch(() => {}); // a failed write is reported by the next write or flush
      } catch (error) {
        if (!(error instanceof ArtifactProblem)) throw error;
        effects.skipped.push({ record: artifact, error });
      }
    }
    if (effects.tags || effects.note !== undefined) {
      if (effects.tags) Object.assign(this.tags, effects.tags);
      this.run!.updateRun({ tags: effects.tags ? tagsFrom(this.tags) : undefined, notes: effects.note });
    }
    if (effects.config.length > 0) this.run!.writeDocuments({ configYaml: configYaml(this.state!.config) });
    return skippedResult(effects.skipped, records, this.logger) ?? EXPORT_OK;
  }

  /** A write error is for good (disk full, unwritable): said once, and the run stops taking records. */
  private writeFailed(error: unknown): ExportResult {
    if (!this.failed) this.logger.errorOnce('wandb-offline-write', `Writing the W&B offline run failed: ${errorMessage(error)}`);
    this.failed = true;
    return failure(new ExportError(`W&B offline write failed: ${errorMessage(error)}`, { cause: error, isRetryable: false }));
  }

  /**
   * The same batch handed to the writer before returning (the pipeline calls it when its queue is full and
   * the caller has not yielded). With the writer thread far behind, or still starting, it is "not now"
   * (retryable: the pipeline keeps the records, queued or spooled, so memory stays bounded) without waiting.
   */
  exportSync(batch: readonly TrackingRecord[]): ExportResult {
    if (!this.run || !this.state) return NOT_STARTED;
    if (batch.length === 0) return EXPORT_OK;
    if (!this.run.waitForWriter(SYNC_WAIT_MS))
      return failure(new ExportError('the W&B offline writer thread is starting or far behind', { isRetryable: true }));
    try {
      const effects = this.state.apply(batch);
      // Room was made above, so this never waits; a failure is reported by the next write or flush.
      void this.run.write(effects)?.catch(() => {});
      return this.afterWrite(effects, batch.length);
    } catch (error) {
      return this.writeFailed(error);
    }
  }

  async forceFlush(): Promise<void> {
    try {
      this.console?.drain();
      await this.run?.flush();
    } catch (error) {
      this.logger.errorOnce('wandb-offline-flush', `Flushing the W&B offline run failed: ${errorMessage(error)}`);
    }
  }

  async shutdown(outcome: RunOutcome): Promise<void> {
    const run = this.run;
    const state = this.state;
    if (!run || !state) return;
    try {
      this.console?.stop(); // restores stdout/stderr and records the last (partial) lines
    } catch (error) {
      this.logger.errorOnce('wandb-console-stop', `Stopping console capture failed: ${errorMessage(error)}`);
    }
    try {
      const end = Math.max(Date.now(), state.lastWallTime);
      await run.finish(state.finalSummary(end), exitCodeOf(outcome), state.runtimeSeconds(end));
      run.writeDocuments({ configYaml: configYaml(state.config), summaryJson: state.summaryJson(end) });
    } catch (error) {
      this.logger.errorOnce('wandb-offline-finish', `Finishing the W&B offline run failed: ${errorMessage(error)}`);
    }
  }

  runIds(): Record<string, string> {
    const runId = this.runId ?? this.plannedRunId;
    return runId ? { runId } : {};
  }

  /** The offline run directory and the command that uploads it. */
  describeRun(): RunDescription | undefined {
    const dir = this.run?.runDir;
    return dir ? { location: dir, commands: [`wandb sync ${shellQuote(dir)}`] } : undefined;
  }

  native(): OfflineNative {
    return {
      mode: 'offline',
      runDir: this.run?.runDir,
      wandbFile: this.run?.wandbFile,
      runId: this.runId,
      console: this.console ? { ...this.console.stats } : undefined,
      writer: this.run?.writer,
    };
  }
}
