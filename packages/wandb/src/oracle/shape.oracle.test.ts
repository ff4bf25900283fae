import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVenv } from '@metrics/oracle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import type { TrackingRecord } from '@metrics/core/backend';
import { createWandbExporter } from '../exporter.js';
import type { OfflineNative } from '../offline/offline-exporter.js';
import { startFakeWandbServer, type FakeWandbServer, type RecordedRequest } from '../testing/fake-wandb-server.js';
import { runWandbCli } from './tools.js';

const API_KEY = 'z'.repeat(40);
const silent = createLogger({ level: 'silent' });
const T0 = Math.floor(Date.now() / 1000) * 1000 - 5_000;

function batches(): TrackingRecord[][] {
  const out: TrackingRecord[][] = [[{ kind: 'config', wallTime: T0, config: { lr: 0.1, arch: { layers: 3 } } }]];
  for (let b = 0; b < 5; b++) {
    const batch: TrackingRecord[] = [];
    for (let s = b * 20; s < b * 20 + 20; s++) {
      batch.push({ kind: 'scalar', name: 'training/loss', value: 1 / (s + 1), step: s, wallTime: T0 + s * 10 });
      batch.push({ kind: 'scalar', name: 'training/acc', value: s / 100, step: s, wallTime: T0 + s * 10 });
    }
    batch.push({ kind: 'scalar', name: 'validation/loss', value: b / 10, step: b * 20, wallTime: T0 + b * 200 + 199 });
    out.push(batch);
  }
  out.push([{ kind: 'summary', wallTime: T0 + 1000, values: { 'evaluation/score': 0.9 } }]);
  return out;
}

const info = { experiment: 'shape-proj', runName: 'shape run', tags: { k: 'v' }, group: 'grp', startTime: T0 };
let server: FakeWandbServer;
let viaSync: RecordedRequest[];
let viaClient: RecordedRequest[];

beforeAll(async () => {
  server = await startFakeWandbServer();
  // 1. The reference: real `wandb sync` uploading our offline run.
  const dir = mkdtempSync(join(tmpdir(), 'wandb-shape-'));
  const offline = createWandbExporter({ mode: 'offline', dir, runId: 'viasync', logger: silent, env: {} });
  await offline.start(info);
  for (const b of batches()) await offline.export(b);
  await offline.shutdown({ status: 'finished' });
  const res = await runWandbCli(['sync', '--yes', (offline.native() as OfflineNative).runDir!], { WANDB_BASE_URL: server.url, WANDB_API_KEY: API_KEY });
  if (res.code !== 0) throw new Error(`wandb sync failed: ${res.stdout}\n${res.stderr}`);
  viaSync = server.requests.splice(0);
  // 2. Our online client logging the same records.
  const online = createWandbExporter({
    mode: 'online',
    apiKey: API_KEY,
    baseUrl: server.url,
    runId: 'viaclient',
    logger: silent,
    env: {},
    fileStream: { intervalMs: 10 },
  });
  expect(await online.start(info)).toEqual({ ok: true });
  for (const b of batches()) await online.export(b);
  await online.shutdown({ status: 'finished' });
  viaClient = server.requests.splice(0);
}, 900_000);
afterAll(() => server.close());

const drop = (o: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

// The real tools' virtualenv is built (minutes, first use only) in a hook with a long timeout; the tests fail loudly without it.
beforeAll(() => ensureVenv(), 900_000);

describe('our online requests have the shape real `wandb sync` sends', () => {
  it('uses only GraphQL operations and variables that wandb itself sends', () => {
    const ops = (rs: RecordedRequest[]) => new Set(rs.filter((r) => r.path === '/graphql').map((r) => r.kind));
    const known = new Set([...ops(viaSync), 'RunResumeStatus']);
    for (const op of ops(viaClient)) expect(known).toContain(op);
    const vars = (rs: RecordedRequest[], op: string) =>
      new Set(rs.filter((r) => r.kind === op).flatMap((r) => Object.keys((r.json as { variables: object }).variables)));
    for (const v of vars(viaClient, 'UpsertBucket')) expect(vars(viaSync, 'UpsertBucket')).toContain(v);
    expect(vars(viaClient, 'CreateRunFiles')).toEqual(vars(viaSync, 'CreateRunFiles'));
  }, 300_000);

  it('sends file_stream to the same path with the same body keys and file names', () => {
    const fs = (rs: RecordedRequest[]) => rs.filter((r) => r.kind === 'file_stream');
    expect(fs(viaClient)[0]!.path.replace('viaclient', 'RUN')).toBe(fs(viaSync)[0]!.path.replace('viasync', 'RUN'));
    const keys = (rs: RecordedRequest[]) => new Set(fs(rs).flatMap((r) => Object.keys(r.json as object)));
    for (const k of keys(viaClient)) expect(keys(viaSync)).toContain(k);
    const names = (rs: RecordedRequest[]) => new Set(fs(rs).flatMap((r) => Object.keys((r.json as { files?: object }).files ?? {})));
    for (const n of names(viaClient)) expect([...names(viaSync), 'wandb-events.jsonl']).toContain(n);
    for (const r of [...fs(viaClient), ...viaClient.filter((x) => x.path === '/graphql')]) {
      expect(r.headers.authorization).toBe(fs(viaSync)[0]!.headers.authorization);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
    }
    const final = (rs: RecordedRequest[]) => fs(rs).at(-1)!.json as Record<string, unknown>;
    expect(final(viaClient)).toMatchObject({ complete: true, exitcode: 0 });
    expect(final(viaSync)).toMatchObject({ complete: true, exitcode: 0 });
  }, 300_000);

  it('uploads the same history rows, summary and config as `wandb sync` does for the same records', () => {
    expect(server.history('viaclient')).toEqual(server.history('viasync'));
    const sumSync = server.summary('viasync')!;
    const sumClient = server.summary('viaclient')!;
    expect(drop(sumClient, '_wandb', '_runtime')).toEqual(drop(sumSync, '_wandb', '_runtime'));
    const cfg = (run: string) => drop(server.runs.get(run)!.config!, '_wandb');
    expect(cfg('viaclient')).toEqual(cfg('viasync'));
    expect(cfg('viaclient')).toEqual({ lr: { value: 0.1 }, arch: { value: { layers: 3 } } });
    const run = (name: string) => server.runs.get(name)!;
    expect(run('viaclient')).toMatchObject({
      displayName: run('viasync').displayName,
      group: run('viasync').group,
      tags: run('viasync').tags,
      project: run('viasync').project,
    });
    const uploads = (run: string) =>
      [...server.uploads.keys()]
        .filter((k) => k.startsWith(`${run}/`))
        .map((k) => k.slice(run.length + 1))
        .sort();
    for (const f of uploads('viaclient')) expect(uploads('viasync')).toContain(f);
  }, 300_000);
});
