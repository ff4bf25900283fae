// The model registry and dataset inputs against a real `mlflow server`, read back with the MLflow Python
// client: `get_model_version_by_alias`, version tags and descriptions, `search_model_versions`,
// `search_registered_models`, and `get_run(...).inputs.dataset_inputs`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython, startFaultProxy } from '@metrics/oracle';
import { useMlflowServer } from '@metrics/oracle/vitest';
import { createLogger, createTracker, InvalidCallError } from '@metrics/core';
import { InMemoryExporter } from '@metrics/core/test';
import { createMlflowExporter, createMlflowTracker, type MlflowApiError, MlflowRegistryError, ModelRegistry, REGISTRY_METRICS } from '../src/index.js';

const server = useMlflowServer();
const quiet = () => createLogger({ level: 'silent' });

/** A started exporter whose run has a `model/` artifact: what the registry registers from. */
async function runWithModel(experiment: string, trackingUri = server.url) {
  const dir = mkdtempSync(join(tmpdir(), 'mlflow-registry-'));
  writeFileSync(join(dir, 'weights.json'), '[1,2,3]');
  const exporter = createMlflowExporter({ trackingUri, logger: quiet(), env: {} });
  const started = await exporter.start({ experiment, runName: 'train', tags: {}, startTime: Date.now() });
  expect(started.ok).toBe(true);
  await exporter.export([{ kind: 'artifact', wallTime: Date.now(), localPath: join(dir, 'weights.json'), artifactPath: 'model' }]);
  return exporter;
}

describe('model registry', () => {
  it('aliases, version and model tags and descriptions, the source run and search are what the MLflow client reads', async () => {
    const exporter = await runWithModel('registry-oracle');
    const runId = exporter.runIds().runId!;
    const memory = new InMemoryExporter();
    const tracker = createTracker({ exporters: [memory], handleExit: false, logger: quiet() });
    const registry = exporter.native().registry!.logsTo(tracker);
    const v1 = await registry.registerModel('iris-oracle', 'model', { description: 'first', tags: { stage: 'dev' }, modelDescription: 'Iris MLP' });
    const v2 = await registry.registerModel('iris-oracle', 'model', { description: 'second', aliases: ['champion'] });
    expect([v1.version, v2.version]).toEqual(['1', '2']);
    expect(v2.aliases).toEqual(['champion']);
    await registry.setModelVersionTag('iris-oracle', v2.version, 'stage', 'prod');
    await registry.updateModelVersion('iris-oracle', 1, { description: 'first, revised' });
    await registry.setRegisteredModelTag('iris-oracle', 'team', 'vision');
    await registry.updateRegisteredModel('iris-oracle', { description: 'Iris MLP, the demo model' });
    await registry.setAlias('iris-oracle', 'challenger', 1);
    await registry.setAlias('iris-oracle', 'retired', 1);
    await registry.deleteAlias('iris-oracle', 'retired');
    await registry.registerModel('iris-oracle-other', 'model', { tags: { stage: 'prod' } });

    expect(await registry.getModelVersionByAlias('iris-oracle', 'champion')).toMatchObject({ version: '2', runId, tags: { stage: 'prod' } });
    // Every page: one result per request.
    const paged = new ModelRegistry({ client: exporter.native().client!, pageSize: 1 });
    expect((await paged.searchModelVersions({ filter: "name = 'iris-oracle'" })).map((v) => v.version).sort()).toEqual(['1', '2']);
    expect((await paged.searchRegisteredModels({ filter: "name LIKE 'iris-oracle%'", orderBy: ['name ASC'] })).map((m) => m.name)).toEqual([
      'iris-oracle',
      'iris-oracle-other',
    ]);
    expect(await paged.getRegisteredModel('iris-oracle')).toMatchObject({ tags: { team: 'vision' }, aliases: { champion: '2', challenger: '1' } });

    const py = (await runPython(
      `import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
v = c.get_model_version_by_alias('iris-oracle', 'champion')
one = c.get_model_version('iris-oracle', '1')
prod = c.search_model_versions("name='iris-oracle' and tags.stage='prod'")
models = c.search_registered_models("name LIKE 'iris-oracle%'")
m = c.get_registered_model('iris-oracle')
print(json.dumps({'champion': {'version': v.version, 'run_id': v.run_id, 'source': v.source, 'description': v.description, 'tags': v.tags,
                               'aliases': list(v.aliases)},
                  'one': {'description': one.description, 'tags': one.tags, 'aliases': list(one.aliases)},
                  'prod': [x.version for x in prod],
                  'models': sorted(x.name for x in models),
                  'model': {'description': m.description, 'tags': m.tags, 'aliases': m.aliases}}))`,
      { args: [server.url] },
    )) as Record<string, Record<string, unknown>>;
    expect(py.champion).toMatchObject({ version: '2', run_id: runId, description: 'second', tags: { stage: 'prod' }, aliases: ['champion'] });
    expect(py.champion!.source).toMatch(new RegExp(`${runId}/artifacts/model$`));
    expect(py.one).toEqual({ description: 'first, revised', tags: { stage: 'dev' }, aliases: ['challenger'] });
    expect(py.prod).toEqual(['2']);
    expect(py.models).toEqual(['iris-oracle', 'iris-oracle-other']);
    expect(py.model).toEqual({ description: 'Iris MLP, the demo model', tags: { team: 'vision' }, aliases: { champion: '2', challenger: '1' } });

    // Every registry call became the standard usage metrics, counted through the tracker.
    await tracker.close();
    const last = (name: string) => memory.records.filter((r) => r.kind === 'scalar' && r.name === name).at(-1);
    expect(last(REGISTRY_METRICS.registrations)).toMatchObject({ value: 3 });
    expect(last(REGISTRY_METRICS.operations)).toMatchObject({ value: registry.stats().operations });
    expect(last(REGISTRY_METRICS.errors)).toMatchObject({ value: 0 });
    expect(last(REGISTRY_METRICS.registeredVersion)).toMatchObject({ value: 1 });
    expect(memory.records.some((r) => r.kind === 'scalar' && r.name === REGISTRY_METRICS.latencyMs)).toBe(true);
    await exporter.shutdown({ status: 'finished' });
  }, 120_000);

  it('registers one version when the answer to model-versions/create is lost and the call is retried', async () => {
    const proxy = await startFaultProxy({ target: server.url });
    try {
      const exporter = await runWithModel('registry-lost-answer', proxy.url);
      // The server creates the version; the client's connection is reset before it hears so.
      proxy.setFaults({ lostResponse: { firstN: 1 }, pathFilter: /model-versions\/create/ });
      const v = await exporter.native().registry!.registerModel('lost-answer', 'model', { tags: { stage: 'dev' } });
      expect(proxy.stats().faults.lostResponse).toBe(1);
      expect(v).toMatchObject({ name: 'lost-answer', version: '1', tags: { stage: 'dev' } });
      expect(Object.keys(v.tags)).toEqual(['stage']);
      const py = (await runPython(
        `import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
print(json.dumps([{'version': x.version, 'tags': x.tags} for x in c.search_model_versions("name='lost-answer'")]))`,
        { args: [server.url] },
      )) as { version: string; tags: Record<string, string> }[];
      // one version, and the tag that made the retry find it is gone
      expect(py).toEqual([{ version: '1', tags: { stage: 'dev' } }]);
      await exporter.shutdown({ status: 'finished' });
    } finally {
      await proxy.stop();
    }
  }, 120_000);

  it('a user’s mistakes: refused calls name the fix, bad arguments fail before any request', async () => {
    const exporter = await runWithModel('registry-mistakes');
    const memory = new InMemoryExporter();
    const tracker = createTracker({ exporters: [memory], handleExit: false, logger: quiet() });
    const registry = exporter.native().registry!.logsTo(tracker);
    await registry.registerModel('mistakes', 'model');

    const alias = await registry.setAlias('mistakes', 'champion', 7).catch((e: unknown) => e);
    expect(MlflowRegistryError.isInstance(alias)).toBe(true);
    expect((alias as Error).message).toMatch(/model "mistakes" has no version 7: register it first \(registry\.registerModel\)/);
    expect((alias as MlflowApiError).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');

    const missing = await registry.getModelVersionByAlias('mistakes', 'champion').catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/has no alias "champion": set it first with registry\.setAlias\("mistakes", "champion", version\)/);

    const noModel = await registry.getRegisteredModel('no-such-model').catch((e: unknown) => e);
    expect((noModel as Error).message).toMatch(/there is no registered model "no-such-model"/);

    const filter = await registry.searchModelVersions({ filter: 'stage is prod' }).catch((e: unknown) => e);
    expect(MlflowRegistryError.isInstance(filter)).toBe(true);
    expect((filter as Error).message).toMatch(/fix the filter "stage is prod": MLflow's search syntax is e\.g\. "name = 'iris' and tags\.stage = 'prod'"/);

    const before = registry.stats().operations;
    await expect(registry.setAlias('mistakes', 'latest', 1)).rejects.toThrow(/alias "latest" is reserved by MLflow/);
    await expect(registry.setAlias('mistakes', 'v2', 1)).rejects.toThrow(InvalidCallError);
    await expect(registry.setAlias('mistakes', 'champion', 'two')).rejects.toThrow(/a model version is a positive integer/);
    await expect(registry.registerModel('', 'model')).rejects.toThrow(/the model name must be a non-empty string/);
    await expect(registry.setModelVersionTag('mistakes', 1, 'stage', 3 as unknown as string)).rejects.toThrow(/must have a string value/);
    await expect(registry.searchModelVersions({ filter: 7 as unknown as string })).rejects.toThrow(/filter must be a string/);
    expect(registry.stats().operations).toBe(before); // none of those reached the server

    await tracker.close();
    const errors = memory.records.filter((r) => r.kind === 'scalar' && r.name === REGISTRY_METRICS.errors).at(-1);
    expect(errors).toMatchObject({ value: 4 });
    await exporter.shutdown({ status: 'finished' });
  }, 120_000);

  it('registering before the run exists on the server says to flush first', async () => {
    const exporter = createMlflowExporter({ trackingUri: server.url, logger: quiet(), env: {} });
    await expect(exporter.native().registerModel('early', 'model')).rejects.toThrow(
      /the run has not started on the server yet — call tracker\.flush\(\) first/,
    );
    await exporter.shutdown({ status: 'finished' });
  });
});

describe('dataset inputs', () => {
  it('logDataset becomes the run’s dataset input, as get_run(...).inputs.dataset_inputs reads it', async () => {
    const tracker = createMlflowTracker({ trackingUri: server.url, experiment: 'datasets', runName: 'train', handleExit: false, logLevel: 'silent', env: {} });
    tracker.logDataset({
      name: 'iris',
      source: 'https://user:secret@example.com/data/iris.csv',
      schema: [
        { name: 'sepal_length', type: 'double' },
        { name: 'species', type: 'string' },
      ],
      profile: { num_rows: 150 },
      context: 'training',
    });
    tracker.logDataset({ name: 'iris-validation', digest: 'feedc0de', source: '/data/iris-validation.csv', context: 'validation', tags: { split: '0.2' } });
    await tracker.flush();
    const runId = tracker.runHandle().runIds.mlflow!.runId!;
    const report = await tracker.close();
    expect(report.ok).toBe(true);
    expect(tracker.stats().exporters[0]).toMatchObject({ failed: 0, unsupported: 0 });
    const inputs = (await runPython(
      `import sys, json
from mlflow.tracking import MlflowClient
r = MlflowClient(tracking_uri=sys.argv[1]).get_run(sys.argv[2])
print(json.dumps(sorted([{'name': d.dataset.name, 'digest': d.dataset.digest, 'source_type': d.dataset.source_type,
  'source': json.loads(d.dataset.source), 'schema': json.loads(d.dataset.schema) if d.dataset.schema else None,
  'profile': json.loads(d.dataset.profile) if d.dataset.profile else None,
  'tags': {t.key: t.value for t in d.tags}} for d in r.inputs.dataset_inputs], key=lambda d: d['name'])))`,
      { args: [server.url, runId] },
    )) as Record<string, unknown>[];
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toMatchObject({
      name: 'iris',
      source_type: 'http',
      source: { url: 'https://example.com/data/iris.csv' },
      schema: {
        mlflow_colspec: [
          { name: 'sepal_length', type: 'double', required: true },
          { name: 'species', type: 'string', required: true },
        ],
      },
      profile: { num_rows: 150 },
      tags: { 'mlflow.data.context': 'training' },
    });
    expect(inputs[0]!.digest).toMatch(/^[0-9a-f]{8}$/);
    expect(inputs[1]).toMatchObject({
      name: 'iris-validation',
      digest: 'feedc0de',
      source_type: 'local',
      source: { uri: '/data/iris-validation.csv' },
      schema: null,
      tags: { 'mlflow.data.context': 'validation', split: '0.2' },
    });
  }, 90_000);
});
