import { randomUUID } from 'node:crypto';
import { InvalidCallError } from '@metrics/core';
import { MlflowApiError, type MlflowClient, type MlflowMethod } from '../client.js';
import { collectPages } from '../paging.js';
import { checkAlias, checkName, checkTag, checkVersion, registryError, type RegistryCallContext } from './errors.js';
import { RegistryUsage, type RegistryMetricsSink } from './usage-metrics.js';
import {
  toModelVersion,
  toRegisteredModel,
  wireTags,
  type ModelVersion,
  type RegisteredModel,
  type WireModelVersion,
  type WireRegisteredModel,
  type WireTag,
} from './wire.js';

const API = '/api/2.0/mlflow';
/** The tag a version carries while it is being created (see `createVersion`). */
const REQUEST_TAG = 'metrics_request_id';

/** The run new versions come from: its id and artifact root (the exporter's, once it started). */
export interface SourceRun {
  runId: string;
  artifactUri: string;
}

export interface ModelRegistryOptions {
  /** A client for the tracking server (the MLflow exporter's, or `new MlflowClient(…)`). */
  client: MlflowClient;
  /** The run that registers versions (default: none; `registerModel` then needs `source` and `runId`). */
  run?: () => SourceRun | undefined;
  /** Registry events are logged here as `usage/registry_*` metrics (see `REGISTRY_METRICS`). */
  metrics?: RegistryMetricsSink;
  /** Results per search request (default 1000, the server's maximum for registered models). */
  pageSize?: number;
}

export interface RegisterModelOptions {
  /** The version's description. */
  description?: string;
  /** The version's tags. */
  tags?: Record<string, string>;
  /** Aliases to point at the new version (e.g. `['champion']`). */
  aliases?: string[];
  /** Description and tags of the registered model, when this call creates it. */
  modelDescription?: string;
  modelTags?: Record<string, string>;
}

export interface SearchOptions {
  /** MLflow's search syntax: `"name = 'iris' and tags.stage = 'prod'"`, `"name LIKE 'iris%'"`. */
  filter?: string;
  /** e.g. `['name ASC']`, `['version_number DESC']`. */
  orderBy?: string[];
}

/**
 * The MLflow Model Registry over REST: register versions from the run's artifacts, aliases, tags and
 * descriptions on models and versions, and search (every page). A refused call rejects with an
 * `MlflowRegistryError` whose message names the fix; a bad argument throws `InvalidCallError` before any request.
 */
export class ModelRegistry {
  private readonly usage: RegistryUsage;
  private readonly pageSize: number;

  constructor(private readonly options: ModelRegistryOptions) {
    this.usage = new RegistryUsage(options.metrics);
    this.pageSize = options.pageSize ?? 1000;
  }

  /** The same registry, logging its events through `tracker` as the standard `usage/registry_*` metrics. */
  logsTo(tracker: RegistryMetricsSink): ModelRegistry {
    return new ModelRegistry({ ...this.options, metrics: tracker });
  }

  /** Counts so far (what the metrics carry). */
  stats(): { operations: number; errors: number; registrations: number } {
    return { operations: this.usage.operations, errors: this.usage.errors, registrations: this.usage.registrations };
  }

  /**
   * Registers `<run artifacts>/<artifactPath>` as a new version of `name` (creating the model when absent),
   * its source run set so the MLflow UI links the version to the run; then sets the given aliases on it.
   */
  async registerModel(name: string, artifactPath: string, options: RegisterModelOptions = {}): Promise<ModelVersion> {
    checkName('registerModel', name);
    if (typeof artifactPath !== 'string' || artifactPath.length === 0)
      throw new InvalidCallError('registerModel', 'artifactPath must name the model directory inside the run’s artifacts, e.g. "model"');
    for (const alias of options.aliases ?? []) checkAlias('registerModel', alias);
    for (const [k, v] of Object.entries({ ...options.tags, ...options.modelTags })) checkTag('registerModel', k, v);
    const run = this.options.run?.();
    if (!run)
      throw new MlflowApiError('MLflow registry: registerModel: the run has not started on the server yet — call tracker.flush() first', 'NOT_STARTED', {
        isRetryable: false,
      });
    const source = `${run.artifactUri.replace(/\/+$/, '')}/${artifactPath.replace(/^\/+/, '')}`;
    const version = await this.timed(
      'registerModel',
      { name },
      async () => {
        try {
          await this.request('POST', 'registered-models/create', {
            name,
            description: options.modelDescription,
            tags: wireTags(options.modelTags),
          });
        } catch (error) {
          if (!(MlflowApiError.isInstance(error) && error.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw error;
        }
        return this.createVersion({ name, source, run_id: run.runId, description: options.description, tags: wireTags(options.tags) });
      },
      (v) => v.version,
    );
    for (const alias of options.aliases ?? []) await this.setAlias(name, alias, version.version);
    return options.aliases?.length ? { ...version, aliases: [...new Set([...version.aliases, ...options.aliases])] } : version;
  }

  /** Points `alias` (e.g. `champion`) at `version`, moving it from any other version. */
  async setAlias(name: string, alias: string, version: string | number): Promise<void> {
    const v = checkVersion('setAlias', version);
    checkName('setAlias', name);
    checkAlias('setAlias', alias);
    await this.timed('setAlias', { name, alias, version: v }, () => this.request('POST', 'registered-models/alias', { name, alias, version: v }));
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    checkName('deleteAlias', name);
    checkAlias('deleteAlias', alias);
    await this.timed('deleteAlias', { name, alias }, () => this.request('DELETE', 'registered-models/alias', { name, alias }));
  }

  /** The version `alias` points at (what `MlflowClient.get_model_version_by_alias` returns). */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    checkName('getModelVersionByAlias', name);
    checkAlias('getModelVersionByAlias', alias);
    const q = new URLSearchParams({ name, alias });
    return this.timed('getModelVersionByAlias', { name, alias }, async () =>
      toModelVersion((await this.request<{ model_version: WireModelVersion }>('GET', `registered-models/alias?${q}`)).model_version),
    );
  }

  async getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    const v = checkVersion('getModelVersion', version);
    checkName('getModelVersion', name);
    const q = new URLSearchParams({ name, version: v });
    return this.timed('getModelVersion', { name, version: v }, async () =>
      toModelVersion((await this.request<{ model_version: WireModelVersion }>('GET', `model-versions/get?${q}`)).model_version),
    );
  }

  async updateModelVersion(name: string, version: string | number, update: { description: string }): Promise<ModelVersion> {
    const v = checkVersion('updateModelVersion', version);
    checkName('updateModelVersion', name);
    if (typeof update?.description !== 'string') throw new InvalidCallError('updateModelVersion', 'pass { description: "…" } (a string)');
    return this.timed('updateModelVersion', { name, version: v }, async () =>
      toModelVersion(
        (await this.request<{ model_version: WireModelVersion }>('PATCH', 'model-versions/update', { name, version: v, description: update.description }))
          .model_version,
      ),
    );
  }

  async setModelVersionTag(name: string, version: string | number, key: string, value: string): Promise<void> {
    const v = checkVersion('setModelVersionTag', version);
    checkName('setModelVersionTag', name);
    checkTag('setModelVersionTag', key, value);
    await this.timed('setModelVersionTag', { name, version: v }, () => this.request('POST', 'model-versions/set-tag', { name, version: v, key, value }));
  }

  async deleteModelVersionTag(name: string, version: string | number, key: string): Promise<void> {
    const v = checkVersion('deleteModelVersionTag', version);
    checkName('deleteModelVersionTag', name);
    checkTag('deleteModelVersionTag', key);
    await this.timed('deleteModelVersionTag', { name, version: v }, () => this.request('DELETE', 'model-versions/delete-tag', { name, version: v, key }));
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    checkName('getRegisteredModel', name);
    const q = new URLSearchParams({ name });
    return this.timed('getRegisteredModel', { name }, async () =>
      toRegisteredModel((await this.request<{ registered_model: WireRegisteredModel }>('GET', `registered-models/get?${q}`)).registered_model),
    );
  }

  async updateRegisteredModel(name: string, update: { description: string }): Promise<RegisteredModel> {
    checkName('updateRegisteredModel', name);
    if (typeof update?.description !== 'string') throw new InvalidCallError('updateRegisteredModel', 'pass { description: "…" } (a string)');
    return this.timed('updateRegisteredModel', { name }, async () =>
      toRegisteredModel(
        (await this.request<{ registered_model: WireRegisteredModel }>('PATCH', 'registered-models/update', { name, description: update.description }))
          .registered_model,
      ),
    );
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    checkName('setRegisteredModelTag', name);
    checkTag('setRegisteredModelTag', key, value);
    await this.timed('setRegisteredModelTag', { name }, () => this.request('POST', 'registered-models/set-tag', { name, key, value }));
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    checkName('deleteRegisteredModelTag', name);
    checkTag('deleteRegisteredModelTag', key);
    await this.timed('deleteRegisteredModelTag', { name }, () => this.request('DELETE', 'registered-models/delete-tag', { name, key }));
  }

  /** Every registered model matching `filter` (all pages). */
  async searchRegisteredModels(options: SearchOptions = {}): Promise<RegisteredModel[]> {
    const models = await this.allPages<WireRegisteredModel>('searchRegisteredModels', 'registered-models/search', 'registered_models', options);
    return models.map(toRegisteredModel);
  }

  /** Every model version matching `filter`, e.g. `"name = 'iris' and tags.stage = 'prod'"` (all pages). */
  async searchModelVersions(options: SearchOptions = {}): Promise<ModelVersion[]> {
    const versions = await this.allPages<WireModelVersion>('searchModelVersions', 'model-versions/search', 'model_versions', options);
    return versions.map(toModelVersion);
  }

  private async allPages<T>(method: string, path: string, field: string, options: SearchOptions): Promise<T[]> {
    if (options === null || typeof options !== 'object' || Array.isArray(options))
      throw new InvalidCallError(method, 'pass options as an object: { filter?: "name = \'iris\'", orderBy?: ["name ASC"] }');
    if (options.filter !== undefined && typeof options.filter !== 'string')
      throw new InvalidCallError(method, `filter must be a string in MLflow's search syntax, e.g. "name = 'iris'"`);
    return collectPages<T>(async (token) => {
      const q = new URLSearchParams({ max_results: String(this.pageSize) });
      if (options.filter) q.set('filter', options.filter);
      for (const o of options.orderBy ?? []) q.append('order_by', o);
      if (token) q.set('page_token', token);
      const page = await this.timed(method, { filter: options.filter }, () =>
        this.request<Record<string, unknown> & { next_page_token?: string }>('GET', `${path}?${q}`),
      );
      return { items: page[field] as T[] | undefined, nextPageToken: page.next_page_token };
    });
  }

  /**
   * `model-versions/create` takes effect once even when an answer is lost and the request is retried (which
   * would register a second version): the version carries a one-off request tag while it is created, a
   * retry first looks the tag up, and the tag is removed once the version is known.
   */
  private async createVersion(body: { name: string; source: string; run_id: string; description?: string; tags: WireTag[] }): Promise<ModelVersion> {
    const token = randomUUID();
    const filter = `tags.${REQUEST_TAG} = '${token}'`;
    const { model_version: made } = await this.options.client.callOnce<{ model_version: WireModelVersion }>(
      'POST',
      `${API}/model-versions/create`,
      { ...body, tags: [...body.tags, { key: REQUEST_TAG, value: token }] },
      async () => {
        // One request: the retry loop around it decides when to try again.
        const found = await this.options.client.call<{ model_versions?: WireModelVersion[] }>(
          'GET',
          `${API}/model-versions/search?${new URLSearchParams({ filter })}`,
        );
        return found.model_versions?.[0] ? { model_version: found.model_versions[0] } : undefined;
      },
    );
    try {
      await this.request('DELETE', 'model-versions/delete-tag', { name: made.name, version: made.version, key: REQUEST_TAG });
    } catch {
      // harmless if it stays: a tag no one reads
    }
    const version = toModelVersion(made);
    delete version.tags[REQUEST_TAG];
    return version;
  }

  private request<T = Record<string, unknown>>(method: MlflowMethod, path: string, body?: unknown): Promise<T> {
    return this.options.client.callWithRetry<T>(method, `${API}/${path}`, body);
  }

  /** Runs one registry call: its latency and outcome become metrics; a refusal becomes an `MlflowRegistryError`. */
  private async timed<T>(what: string, at: RegistryCallContext, call: () => Promise<T>, registered?: (value: T) => string): Promise<T> {
    const started = performance.now();
    try {
      const value = await call();
      this.usage.record(performance.now() - started, { failed: false, registeredVersion: registered?.(value) });
      return value;
    } catch (error) {
      this.usage.record(performance.now() - started, { failed: true });
      throw registryError(error, what, at);
    }
  }
}
