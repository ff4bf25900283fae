// Offline artifacts read by the real tools: `wandb leet inspect` (wandb-core's reader) shows our `artifact`
// records with their manifests, and the real `wandb sync` uploads them to the loopback W&B server: created,
// every file uploaded with the declared MD5, the manifest, committed, and the dataset used by the run.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVenv } from '@metrics/oracle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { datasetArtifactRecord } from '../artifacts/dataset.js';
import { createWandbExporter, createWandbTracker } from '../exporter.js';
import { startFakeWandbServer, type FakeWandbServer } from '../testing/fake-wandb-server.js';
import { leetInspect, runWandbCli } from './tools.js';

const API_KEY = 'k'.repeat(40);
const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('base64');
let server: FakeWandbServer;
beforeAll(async () => {
  server = await startFakeWandbServer();
});
afterAll(() => server.close());
beforeAll(() => ensureVenv(), 900_000);

/** An offline run that logs a model directory (aliases) and a dataset the run used, then overwrites the model. */
async function logRun() {
  const dir = mkdtempSync(join(tmpdir(), 'wandb-art-sync-'));
  mkdirSync(join(dir, 'model', 'weights'), { recursive: true });
  writeFileSync(join(dir, 'model', 'model.json'), '{"layers":[4,2]}');
  writeFileSync(join(dir, 'model', 'weights', 'group1.bin'), Buffer.from([0, 1, 2, 3, 255]));
  writeFileSync(join(dir, 'train.csv'), 'x,label\n0.5,1\n');
  const tracker = createWandbTracker({
    mode: 'offline',
    dir,
    runId: 'artsync1',
    experiment: 'art-proj',
    handleExit: false,
    logger: createLogger({ level: 'silent' }),
    env: {},
  });
  tracker.logArtifact(join(dir, 'train.csv'), { type: 'dataset', name: 'iris-train', input: true });
  tracker.log({ 'training/loss': 0.5 }, { step: 0 });
  tracker.logArtifact(join(dir, 'model'), { artifactPath: 'export', name: 'iris-mlp', aliases: ['champion'] });
  await tracker.flush();
  // The program overwrites its model after logging it: the staged copy keeps the logged bytes.
  writeFileSync(join(dir, 'model', 'model.json'), '{"layers":[8]}');
  await tracker.close();
  const wandbDir = join(dir, 'wandb');
  return { dir, runDir: join(wandbDir, readdirSync(wandbDir).find((n) => n.startsWith('offline-run-'))!) };
}

describe('offline artifacts, read and uploaded by the real wandb tools', () => {
  it('leet inspect shows the artifact records; wandb sync creates, uploads, commits and uses them', async () => {
    const { runDir } = await logRun();
    const entries = {
      'export/model/model.json': { digest: md5('{"layers":[4,2]}'), size: 16 },
      'export/model/weights/group1.bin': { digest: md5(Buffer.from([0, 1, 2, 3, 255])), size: 5 },
    };

    // wandb-core's own reader of the transaction log.
    const { records, run } = await leetInspect(join(runDir, 'run-artsync1.wandb'));
    expect(run.code, run.stderr).toBe(0);
    const artifacts = records.filter((r) => r.type === 'artifact').map((r) => r.artifact as Record<string, unknown>);
    expect(artifacts.map((a) => [a.name, a.type, a.aliases, a.use_after_commit ?? false, a.user_created ?? false])).toEqual([
      ['iris-train', 'dataset', ['latest'], true, true],
      ['iris-mlp', 'model', ['champion', 'latest'], false, false],
    ]);
    const model = artifacts[1] as { manifest: { contents: { path: string; digest: string; size: string; local_path: string }[] }; digest: string };
    // The digest wandb computes over the entries (Python SDK 0.31: `wandb-artifact-manifest-v1` then `path:digest` lines).
    const expectedDigest = createHash('md5')
      .update(
        `wandb-artifact-manifest-v1\n${Object.entries(entries)
          .map(([p, e]) => `${p}:${e.digest}\n`)
          .join('')}`,
      )
      .digest('hex');
    expect(model.digest).toBe(expectedDigest);
    expect(model.manifest.contents.map((c) => [c.path, c.digest, Number(c.size)])).toEqual(Object.entries(entries).map(([p, e]) => [p, e.digest, e.size]));
    for (const c of model.manifest.contents) expect(c.local_path.startsWith(join(runDir, 'artifacts'))).toBe(true);
    expect(model).toMatchObject({
      finalize: true,
      digest_algorithm: 'MANIFEST_MD5',
      manifest: { version: 1, storage_policy: 'wandb-storage-policy-v1', storage_policy_config: { storageLayout: 'V2' } },
    });

    // The real `wandb sync` against the loopback server.
    const res = await runWandbCli(['sync', '--yes', runDir], { WANDB_BASE_URL: server.url, WANDB_API_KEY: API_KEY });
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    const [mlp] = server.artifacts.versions('iris-mlp');
    expect(mlp).toMatchObject({ type: 'model', state: 'COMMITTED', digest: model.digest, aliases: ['champion', 'latest'], createdBy: 'artsync1', usedBy: [] });
    expect(Object.fromEntries(Object.entries(mlp!.manifest!.contents).map(([p, c]) => [p, { digest: c.digest, size: c.size }]))).toEqual(entries);
    expect(mlp!.files.get('export/model/model.json')!.bytes!.toString()).toBe('{"layers":[4,2]}');
    const [train] = server.artifacts.versions('iris-train');
    // The dataset is an input of the run, not an output (created without the run's name, then used).
    expect(train).toMatchObject({ type: 'dataset', state: 'COMMITTED', createdBy: undefined, usedBy: ['artsync1'] });
    expect(train!.files.get('train.csv')!.bytes!.toString()).toBe('x,label\n0.5,1\n');
    const ops = server.requests.filter((r) => r.kind === 'UseArtifact' || r.kind === 'CommitArtifact').map((r) => r.kind);
    expect(ops.sort()).toEqual(['CommitArtifact', 'CommitArtifact', 'UseArtifact']);
    // The run itself still syncs (history next to the artifacts).
    expect(server.history('artsync1').map((h) => h['training/loss'])).toEqual([0.5]);
  }, 300_000);

  it('a data set known by its source (datasetArtifactRecord): a reference entry and metadata that wandb sync sends, used by the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-ds-sync-'));
    const exporter = createWandbExporter({ mode: 'offline', dir, runId: 'dssync1', project: 'art-proj', env: {}, logger: createLogger({ level: 'silent' }) });
    expect(await exporter.start({ experiment: 'art-proj', runName: 'ds', tags: {}, startTime: Date.now() })).toEqual({ ok: true });
    const record = datasetArtifactRecord({ name: 'iris-val', digest: 'd41d8c', source: 'https://example.invalid/iris/val.csv', context: 'validation' });
    expect(await exporter.export([record])).toEqual({ ok: true });
    await exporter.shutdown({ status: 'finished' });
    const runDir = (exporter.native() as { runDir: string }).runDir;
    const res = await runWandbCli(['sync', '--yes', runDir], { WANDB_BASE_URL: server.url, WANDB_API_KEY: API_KEY });
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    const [ds] = server.artifacts.versions('iris-val');
    expect(ds).toMatchObject({
      type: 'dataset',
      state: 'COMMITTED',
      usedBy: ['dssync1'],
      metadata: { digest: 'd41d8c', source: 'https://example.invalid/iris/val.csv', context: 'validation' },
    });
    expect(ds!.manifest!.contents['val.csv']).toMatchObject({ digest: 'd41d8c', ref: 'https://example.invalid/iris/val.csv' });
  }, 300_000);

  it('logDataset on an offline tracker: wandb sync creates the dataset artifact and marks it used by the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-logds-sync-'));
    const tracker = createWandbTracker({
      mode: 'offline',
      dir,
      runId: 'dssync2',
      experiment: 'art-proj',
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
      env: {},
    });
    tracker.logDataset({ name: 'iris', digest: 'c0ffee12', source: 's3://bucket/iris.parquet', context: 'training', profile: { num_rows: 120 } });
    tracker.log({ 'training/loss': 0.5 }, { step: 0 });
    await tracker.close();
    expect(tracker.stats().exporters[0]).toMatchObject({ unsupported: 0, failed: 0 });
    const wandbDir = join(dir, 'wandb');
    const runDir = join(wandbDir, readdirSync(wandbDir).find((n) => n.startsWith('offline-run-'))!);
    const res = await runWandbCli(['sync', '--yes', runDir], { WANDB_BASE_URL: server.url, WANDB_API_KEY: API_KEY });
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    const [ds] = server.artifacts.versions('iris');
    expect(ds).toMatchObject({
      type: 'dataset',
      state: 'COMMITTED',
      usedBy: ['dssync2'],
      metadata: { digest: 'c0ffee12', source: 's3://bucket/iris.parquet', sourceType: 's3', context: 'training', profile: { num_rows: 120 } },
    });
    expect(ds!.manifest!.contents['iris.parquet']).toMatchObject({ digest: 'c0ffee12', ref: 's3://bucket/iris.parquet' });
  }, 300_000);
});
