import { InvalidCallError } from '@metrics/core';
import { didYouMeanHint, selectMetrics, type MetricPoint, type MetricSelection, type RunReader } from '@metrics/core/backend';
import { MlflowApiError, MlflowClient } from '../client.js';
import { collectPages } from '../paging.js';
import { resolveMlflowSettings, type MlflowOptions } from '../settings.js';
import { checkTrackingUri } from '../tracking-uri.js';
import { toMetricPoint, toMlflowRun, type MlflowRun, type WireMetric, type WireRun } from './wire.js';

export interface MlflowReaderOptions extends Pick<MlflowOptions, 'trackingUri' | 'username' | 'password' | 'token' | 'insecureTls' | 'requestTimeoutMs'> {
  /** Experiments `listRuns` (and a run given by name) look in; default: every active experiment. */
  experimentNames?: readonly string[];
  experimentIds?: readonly string[];
  /** Where the `MLFLOW_*` fallbacks are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface SearchRunsOptions {
  /** Experiments to search (names and ids together); default: the reader's, else every active experiment. */
  experimentNames?: readonly string[];
  experimentIds?: readonly string[];
  /** MLflow's search syntax: `metrics.loss < 1 and params.lr = '0.1'`, `tags.team = 'x'`, `attributes.status = 'FINISHED'`. */
  filter?: string;
  /** E.g. `['metrics.loss ASC', 'attributes.start_time DESC']`. */
  orderBy?: readonly string[];
  /** At most this many runs in all (every page is read up to it). Default: all of them. */
  maxResults?: number;
  /** Default `ACTIVE_ONLY`. */
  runViewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
  /** Runs per `runs/search` request. Default 1000 (the server allows up to 50 000). */
  pageSize?: number;
}

export interface MetricHistoryOptions {
  /** Points per `metrics/get-history` request. Default 25 000 (the server's own page size). */
  pageSize?: number;
}

const RUN_ID = /^[0-9a-f]{32}$/;

/**
 * Reads runs back from an MLflow tracking server over REST (the same undici client the exporter uses):
 * search with MLflow's filter syntax, a metric's whole history through every page, a run's metrics by
 * prefix, glob or category. Every method reads all pages; errors are `MlflowApiError`s naming the request.
 */
export class MlflowReader implements RunReader {
  private readonly client: MlflowClient;
  private readonly experimentIdCache = new Map<string, string>();

  constructor(private readonly options: MlflowReaderOptions = {}) {
    const env = options.env ?? process.env;
    checkTrackingUri(options.trackingUri, 'trackingUri');
    if (options.trackingUri === undefined) checkTrackingUri(env.MLFLOW_TRACKING_URI, 'MLFLOW_TRACKING_URI');
    const settings = resolveMlflowSettings({ ...options }, env);
    if (!settings.trackingUri) throw new InvalidCallError('createMlflowReader', 'no MLflow tracking URI: pass trackingUri or set MLFLOW_TRACKING_URI');
    this.client = new MlflowClient({ ...settings, trackingUri: settings.trackingUri });
  }

  /** Runs matching `filter` in the experiments, every page, ordered by `orderBy` (MLflow's default: newest first). */
  async searchRuns(options: SearchRunsOptions = {}): Promise<MlflowRun[]> {
    if (options.maxResults !== undefined && (!Number.isInteger(options.maxResults) || options.maxResults < 1))
      throw new InvalidCallError('searchRuns', `maxResults must be a positive integer (got ${options.maxResults})`);
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50_000)
      throw new InvalidCallError('searchRuns', `pageSize must be an integer from 1 to 50000 (got ${pageSize})`);
    const experimentIds = await this.experimentIds(options);
    if (experimentIds.length === 0) return [];
    const { maxResults } = options;
    const runs = await collectPages<WireRun>(
      async (pageToken, count) => {
        const page = await this.client.callWithRetry<{ runs?: WireRun[]; next_page_token?: string }>('POST', '/api/2.0/mlflow/runs/search', {
          experiment_ids: experimentIds,
          filter: options.filter ?? '',
          order_by: options.orderBy ?? [],
          max_results: maxResults === undefined ? pageSize : Math.min(pageSize, maxResults - count),
          run_view_type: options.runViewType ?? 'ACTIVE_ONLY',
          ...(pageToken ? { page_token: pageToken } : {}),
        });
        return { items: page.runs, nextPageToken: page.next_page_token };
      },
      (count) => maxResults !== undefined && count >= maxResults,
    );
    return runs.map(toMlflowRun);
  }

  async getRun(runId: string): Promise<MlflowRun> {
    const got = await this.client.callWithRetry<{ run: WireRun }>('GET', `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`);
    return toMlflowRun(got.run);
  }

  /** Every point MLflow holds of `key` in run `runId`, through all `metrics/get-history` pages, ordered by step then time. */
  async getMetricHistory(runId: string, key: string, options: MetricHistoryOptions = {}): Promise<MetricPoint[]> {
    const pageSize = options.pageSize ?? 25_000;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new InvalidCallError('getMetricHistory', `pageSize must be a positive integer (got ${pageSize})`);
    const wire = await collectPages<WireMetric>(async (pageToken) => {
      const query =
        `run_id=${encodeURIComponent(runId)}&metric_key=${encodeURIComponent(key)}&max_results=${pageSize}` +
        (pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : '');
      const page = await this.client.callWithRetry<{ metrics?: WireMetric[]; next_page_token?: string }>('GET', `/api/2.0/mlflow/metrics/get-history?${query}`);
      return { items: page.metrics, nextPageToken: page.next_page_token };
    });
    const points = wire.map(toMetricPoint);
    // The server answers an unknown run with an empty history; say so instead.
    if (points.length === 0) await this.getRun(runId);
    // The server pages in (timestamp, step, value) order; a history is read by step.
    return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  }

  /** The latest value of each of a run's metrics that match `selection` (prefix, glob, category), by name. */
  async runMetrics(runId: string, selection: MetricSelection = {}): Promise<Record<string, number>> {
    return selectMetrics((await this.getRun(runId)).latestMetrics, selection);
  }

  /** The whole history of each of a run's metrics that match `selection`, by name. */
  async runMetricHistories(runId: string, selection: MetricSelection = {}, options: MetricHistoryOptions = {}): Promise<Record<string, MetricPoint[]>> {
    const out: Record<string, MetricPoint[]> = {};
    for (const key of Object.keys(await this.runMetrics(runId, selection))) out[key] = await this.getMetricHistory(runId, key, options);
    return out;
  }

  /** `RunReader`: the runs of the reader's experiments (every active one by default). */
  listRuns(): Promise<MlflowRun[]> {
    return this.searchRuns();
  }

  /** `RunReader`: `run` is a run id, or a run name that exactly one run in the reader's experiments has; a metric the run lacks is an error. */
  async metricHistory(run: string, metric: string): Promise<MetricPoint[]> {
    const runId = await this.resolveRun(run);
    const points = await this.getMetricHistory(runId, metric);
    if (points.length > 0) return points;
    const names = Object.keys((await this.getRun(runId)).latestMetrics);
    throw new InvalidCallError('metricHistory', `run ${runId} has no metric "${metric}"${didYouMeanHint(metric, names)}`);
  }

  /** A run id, or the id of the one run named `run`. */
  async resolveRun(run: string): Promise<string> {
    if (RUN_ID.test(run)) return run;
    const named = await this.searchRuns({ filter: `attributes.run_name = '${run.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`, runViewType: 'ALL' });
    if (named.length === 1) return named[0]!.id;
    if (named.length > 1)
      throw new InvalidCallError('metricHistory', `${named.length} runs are named "${run}" (${named.map((r) => r.id).join(', ')}); pass a run id`);
    const names = (await this.searchRuns({ runViewType: 'ALL' })).map((r) => r.name);
    throw new InvalidCallError('metricHistory', `no MLflow run with the id or name "${run}"${didYouMeanHint(run, names)}`);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** Ids of the named experiments (and the given ids); none named → every active experiment. */
  private async experimentIds(options: SearchRunsOptions): Promise<string[]> {
    const names = options.experimentNames ?? (options.experimentIds ? [] : (this.options.experimentNames ?? []));
    const ids = [...(options.experimentIds ?? (options.experimentNames ? [] : (this.options.experimentIds ?? [])))];
    for (const name of names) ids.push(await this.experimentIdByName(name));
    if (ids.length > 0 || names.length > 0) return [...new Set(ids)];
    return this.allExperimentIds();
  }

  private async experimentIdByName(name: string): Promise<string> {
    const cached = this.experimentIdCache.get(name);
    if (cached) return cached;
    try {
      const r = await this.client.callWithRetry<{ experiment: { experiment_id: string } }>(
        'GET',
        `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
      );
      this.experimentIdCache.set(name, r.experiment.experiment_id);
      return r.experiment.experiment_id;
    } catch (error) {
      if (!(MlflowApiError.isInstance(error) && error.errorCode === 'RESOURCE_DOES_NOT_EXIST')) throw error;
      const known = (await this.allExperiments()).map((e) => e.name);
      throw new InvalidCallError('searchRuns', `no MLflow experiment named "${name}"${didYouMeanHint(name, known)}`);
    }
  }

  private async allExperimentIds(): Promise<string[]> {
    return (await this.allExperiments()).map((e) => e.experiment_id);
  }

  private async allExperiments(): Promise<{ experiment_id: string; name: string }[]> {
    type Experiment = { experiment_id: string; name: string };
    return collectPages<Experiment>(async (pageToken) => {
      const page = await this.client.callWithRetry<{ experiments?: Experiment[]; next_page_token?: string }>('POST', '/api/2.0/mlflow/experiments/search', {
        max_results: 1000,
        view_type: 'ACTIVE_ONLY',
        ...(pageToken ? { page_token: pageToken } : {}),
      });
      return { items: page.experiments, nextPageToken: page.next_page_token };
    });
  }
}

/** A reader for the MLflow server at `trackingUri` (or `MLFLOW_TRACKING_URI`); `close()` it when done. */
export function createMlflowReader(options: MlflowReaderOptions = {}): MlflowReader {
  return new MlflowReader(options);
}
