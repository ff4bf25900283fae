// logArtifact through the online client against the loopback W&B server: the exact GraphQL artifact flow
// (create, manifest, files, uploads, commit, use), deduplication of an unchanged version, and bad names.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { datasetArtifactRecord } from '../artifacts/dataset.js';
import { createWandbExporter, createWandbTracker } from '../exporter.js';
import { startFakeWandbServer, type FakeWandbServer } from '../testing/fake-wandb-server.js';

let server: FakeWandbServer;
beforeEach(async () => {
  server = await startFakeWandbServer();
});
afterEach(() => server.close());

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('base64');

function tracker(runId: string, lines: string[] = []) {
  return createWandbTracker({
    mode: 'online',
    apiKey: 'k'.repeat(40),
    baseUrl: server.url,
    project: 'arts',
    runId,
    handleExit: false,
    logger: createLogger({ level: 'warn', sink: (_level, l) => lines.push(l) }),
    env: {},
    fileStream: { intervalMs: 20, heartbeatMs: 60_000 },
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
  });
}

function modelDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'wandb-art-')), 'model');
  mkdirSync(join(dir, 'weights'), { recursive: true });
  writeFileSync(join(dir, 'model.json'), '{"layers":2}');
  writeFileSync(join(dir, 'weights', 'w.bin'), Buffer.from([1, 2, 3, 4]));
  return dir;
}

const ops = (s: FakeWandbServer) => s.requests.filter((r) => /Artifact|artifact-upload/.test(r.kind)).map((r) => r.kind);

describe('online: logArtifact', () => {
  it('creates, uploads and commits a model artifact with its manifest, then a dataset used by the run', async () => {
    const dir = modelDir();
    const data = join(dir, '..', 'train.csv');
    writeFileSync(data, 'x,y\n1,2\n');
    const t = tracker('onart1');
    t.logArtifact(dir, { artifactPath: 'export', name: 'mnist-mlp', aliases: ['best'] });
    t.logArtifact(data, { type: 'dataset', name: 'mnist-train', input: true });
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ failed: 0, dropped: 0 });

    // The wandb-core order: create, manifest id, file URLs, uploads, manifest upload, commit (then use, for an input).
    expect(ops(server)).toEqual([
      'CreateArtifact',
      'CreateArtifactManifest',
      'CreateArtifactFiles',
      'artifact-upload',
      'artifact-upload',
      'CreateArtifactManifest',
      'artifact-upload',
      'CommitArtifact',
      'CreateArtifact',
      'CreateArtifactManifest',
      'CreateArtifactFiles',
      'artifact-upload',
      'CreateArtifactManifest',
      'artifact-upload',
      'CommitArtifact',
      'UseArtifact',
    ]);
    const create = server.requests.find((r) => r.kind === 'CreateArtifact')!.json as { variables: { input: Record<string, unknown> } };
    const entries = { 'export/model/model.json': md5('{"layers":2}'), 'export/model/weights/w.bin': md5(Buffer.from([1, 2, 3, 4])) };
    const digest = createHash('md5')
      .update(
        'wandb-artifact-manifest-v1\n' +
          Object.entries(entries)
            .map(([p, d]) => `${p}:${d}\n`)
            .join(''),
      )
      .digest('hex');
    expect(create.variables.input).toMatchObject({
      entityName: 'fake-entity',
      projectName: 'arts',
      runName: 'onart1',
      artifactTypeName: 'model',
      artifactCollectionName: 'mnist-mlp',
      digest,
      digestAlgorithm: 'MANIFEST_MD5',
      aliases: [
        { artifactCollectionName: 'mnist-mlp', alias: 'best' },
        { artifactCollectionName: 'mnist-mlp', alias: 'latest' },
      ],
    });
    expect(create.variables.input.clientID).toMatch(/^[a-z0-9]{128}$/);
    const files = server.requests.find((r) => r.kind === 'CreateArtifactFiles')!.json as {
      variables: { input: { artifactFiles: unknown[]; storageLayout: string } };
    };
    expect(files.variables.input.storageLayout).toBe('V2');
    expect(files.variables.input.artifactFiles).toEqual(
      Object.entries(entries).map(([name, digest]) =>
        expect.objectContaining({ name, md5: digest, artifactID: expect.any(String), artifactManifestID: expect.any(String) }),
      ),
    );

    const [model] = server.artifacts.versions('mnist-mlp');
    expect(model).toMatchObject({ type: 'model', version: 'v0', state: 'COMMITTED', digest, aliases: ['best', 'latest'], createdBy: 'onart1', usedBy: [] });
    expect(model!.manifest).toEqual({
      version: 1,
      storagePolicy: 'wandb-storage-policy-v1',
      storagePolicyConfig: { storageLayout: 'V2' },
      contents: {
        'export/model/model.json': { digest: entries['export/model/model.json'], birthArtifactID: model!.id, size: 12 },
        'export/model/weights/w.bin': { digest: entries['export/model/weights/w.bin'], birthArtifactID: model!.id, size: 4 },
      },
    });
    expect(model!.files.get('export/model/weights/w.bin')!.bytes).toEqual(Buffer.from([1, 2, 3, 4]));
    // The manifest's digest in the second CreateArtifactManifest is the MD5 of the uploaded manifest file.
    expect(model!.manifestRequests.map((m) => m.includeUpload)).toEqual([false, true]);

    const [dataset] = server.artifacts.versions('mnist-train');
    expect(dataset).toMatchObject({ type: 'dataset', state: 'COMMITTED', aliases: ['latest'], createdBy: undefined, usedBy: ['onart1'] });
    expect(Object.keys(dataset!.manifest!.contents)).toEqual(['train.csv']);
    // The API key never goes to the storage host.
    for (const r of server.requests.filter((r) => r.kind === 'artifact-upload')) expect(r.headers.authorization).toBeUndefined();
  });

  it('an unchanged artifact logged again is the same version (no upload); a changed one is v1 and takes `latest`', async () => {
    const dir = modelDir();
    const t = tracker('onart2');
    t.logArtifact(join(dir, 'model.json'), { name: 'ckpt', aliases: ['epoch-1'] });
    await t.flush();
    t.logArtifact(join(dir, 'model.json'), { name: 'ckpt' });
    await t.flush();
    const uploadsBefore = server.requests.filter((r) => r.kind === 'artifact-upload').length;
    writeFileSync(join(dir, 'model.json'), '{"layers":3}');
    t.logArtifact(join(dir, 'model.json'), { name: 'ckpt' });
    await t.close();
    expect(uploadsBefore).toBe(2); // one file and its manifest, once
    const versions = server.artifacts.versions('ckpt');
    expect(versions.map((v) => [v.version, v.aliases])).toEqual([
      ['v0', ['epoch-1']],
      ['v1', ['latest']],
    ]);
    expect(versions.every((v) => v.state === 'COMMITTED')).toBe(true);
  });

  it('skips an artifact with a bad type or a missing file, naming the fix, and keeps the run going', async () => {
    const lines: string[] = [];
    const t = tracker('onart3', lines);
    t.logArtifact('/nonexistent/model.bin');
    t.logArtifact(modelDir(), { type: 'wandb-internal' });
    t.log({ loss: 1 }, { step: 0 });
    await t.close();
    expect(server.artifacts.artifacts.size).toBe(0);
    // The reserved type is refused by the tracker (bad data: warned and counted); the missing file by the exporter.
    expect(t.stats().skipped).toBe(1);
    expect(t.stats().exporters[0]!.failed).toBe(1);
    expect(lines.join('\n')).toContain('reserved by W&B');
    expect(lines.join('\n')).toContain('cannot read /nonexistent/model.bin');
    expect(server.history('onart3')).toHaveLength(1);
  });
});

describe('online: a data set used by the run (datasetArtifactRecord, for a core logDataset)', () => {
  it('a dataset known by its source is a reference entry with the metadata, used by the run', async () => {
    const exporter = createWandbExporter({
      mode: 'online',
      apiKey: 'k'.repeat(40),
      baseUrl: server.url,
      project: 'arts',
      runId: 'onds',
      env: {},
      logger: createLogger({ level: 'silent' }),
    });
    expect(await exporter.start({ experiment: 'arts', runName: 'ds', tags: {}, startTime: Date.now() })).toEqual({ ok: true });
    const record = datasetArtifactRecord({
      name: 'iris train',
      digest: 'a1b2c3',
      source: 's3://bucket/iris/train.parquet',
      schema: { x: 'double' },
      context: 'training',
    });
    expect(await exporter.export([record])).toEqual({ ok: true });
    await exporter.shutdown({ status: 'finished' });
    const [ds] = server.artifacts.versions('iris-train');
    expect(ds).toMatchObject({
      type: 'dataset',
      state: 'COMMITTED',
      usedBy: ['onds'],
      metadata: { digest: 'a1b2c3', source: 's3://bucket/iris/train.parquet', schema: { x: 'double' }, context: 'training' },
    });
    expect(ds!.manifest!.contents).toEqual({ 'train.parquet': { digest: 'a1b2c3', birthArtifactID: null, ref: 's3://bucket/iris/train.parquet', size: 0 } });
    expect(server.requests.some((r) => r.kind === 'CreateArtifactFiles')).toBe(false); // nothing to upload
  });
});

describe('online: logDataset on a W&B tracker', () => {
  it('becomes a dataset artifact the run used: a reference to its source, the description as metadata', async () => {
    const t = tracker('onds2');
    t.logDataset({
      name: 'iris',
      digest: 'c0ffee12',
      source: 'https://user:secret@data.example/iris.csv',
      schema: [{ name: 'sepal_length', type: 'double' }],
      profile: { num_rows: 120 },
      context: 'training',
      tags: { split: 'train' },
    });
    t.log({ 'training/loss': 1 }, { step: 0 });
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ unsupported: 0, failed: 0 });
    const [ds] = server.artifacts.versions('iris');
    expect(ds).toMatchObject({
      type: 'dataset',
      state: 'COMMITTED',
      usedBy: ['onds2'],
      // core drops the credentials from the source before any backend sees it
      metadata: {
        digest: 'c0ffee12',
        source: 'https://data.example/iris.csv',
        sourceType: 'http',
        schema: [{ name: 'sepal_length', type: 'double' }],
        profile: { num_rows: 120 },
        context: 'training',
        tags: { split: 'train' },
      },
    });
    expect(ds!.manifest!.contents['iris.csv']).toMatchObject({ digest: 'c0ffee12', ref: 'https://data.example/iris.csv' });
  });
});

describe('online: artifact uploads under faults', () => {
  it('a 503 and a dropped connection on uploads are retried and the version commits; a refused upload is reported once and counted', async () => {
    const lines: string[] = [];
    const t = tracker('onart4', lines);
    server.injectFaults('artifact-upload', [{ status: 503 }, { reset: true }]);
    t.logArtifact(modelDir(), { name: 'retried' });
    await t.flush();
    expect(server.artifacts.versions('retried')[0]).toMatchObject({ state: 'COMMITTED' });
    server.injectFaults('artifact-upload', [{ status: 403 }]);
    t.logArtifact(modelDir(), { name: 'refused', aliases: ['x'] });
    t.log({ loss: 1 }, { step: 0 });
    await t.close();
    expect(server.artifacts.versions('refused')[0]).toMatchObject({ state: 'PENDING' });
    expect(t.stats().exporters[0]!.backend).toMatchObject({ failed: 1 });
    expect(lines.filter((l) => l.includes('Logging the W&B artifact "refused" failed'))).toHaveLength(1);
    expect(server.history('onart4')).toHaveLength(1);
  });
});
