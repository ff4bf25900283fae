// Against a real `mlflow server` (sqlite, loopback), read back through REST and the MLflow Python client.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runPython, startFaultProxy, startMlflowServer } from '@metrics/oracle';
import { useMlflowServer } from '@metrics/oracle/vitest';
import { createLogger, type Tracker } from '@metrics/core';
import { runExporterConformance } from '@metrics/core/test/vitest';
import { createMlflowExporter, createMlflowTracker, MlflowApiError, type MlflowNative } from '../src/index.js';

const server = useMlflowServer();

async function history(url: string, runId: string, key: string): Promise<{ step: number; value: number | string }[]> {
  const res = await fetch(`${url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=${encodeURIComponent(key)}&max_results=25000`);
  const body = (await res.json()) as { metrics?: { step: number; value: number | string }[] };
  return (body.metrics ?? []).map((m) => ({ step: Number(m.step), value: m.value })).sort((a, b) => a.step - b.step);
}

const quiet = () => createLogger({ level: 'silent' });
const runIdOf = (t: Tracker) => t.runHandle().runIds.mlflow!.runId!;

describe('conformance against the real server', () => {
  let last: MlflowNative | undefined;
  runExporterConformance('mlflow', async () => {
    const exporter = createMlflowExporter({ trackingUri: server.url, logger: quiet(), env: {} });
    return {
      exporter,
      readScalars: async () =>
        history(server.url, exporter.runIds().runId!, 'training/loss').then((h) =>
          h.map((m) => ({ name: 'training/loss', step: m.step, value: Number(m.value) })),
        ),
      cleanup: async () => void (last = exporter.native()),
    };
  });
  it('ran', () => expect(last?.runId).toMatch(/^[0-9a-f]{32}$/));
});

describe('MLflow tracker', () => {
  it('round-trips metrics exactly (NaN, ±Infinity, steps above 2^31), params, tags, artifacts and the run status', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-'));
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'weights.json'), '[1,2,3]');
    writeFileSync(join(dir, 'model', 'meta.txt'), 'mlp');
    // nonFinite 'keep': NaN/±Infinity must round-trip (core skips them by default).
    const tracker = createMlflowTracker({
      trackingUri: server.url,
      experiment: 'round-trip',
      runName: 'exact',
      nonFinite: 'keep',
      handleExit: false,
      logLevel: 'silent',
      env: {},
    });
    tracker.logHyperparams({ lr: 0.001, optimizer: 'adam', layers: 3, shuffle: true }, { metrics: ['validation/accuracy'] });
    tracker.logConfig({ model: { hidden: [64, 32] } });
    const big = 2 ** 31 + 5;
    tracker.log({ 'training/loss': 0.125, 'training/accuracy': Number.NaN }, { step: 1 });
    tracker.log({ 'training/loss': Infinity, 'training/accuracy': -Infinity }, { step: big });
    tracker.log({ 'training/loss': 1e-300 }, { step: 2 ** 52 });
    tracker.logArtifact(join(dir, 'model'), { artifactPath: 'checkpoints' });
    tracker.logText('model/summary', '# MLP', { step: 3 });
    await tracker.flush();
    const runId = runIdOf(tracker);
    await tracker.close();
    expect(tracker.stats().exporters[0]).toMatchObject({ failed: 0, dropped: 0 });
    const py = (await runPython(
      `import sys, json, math
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1]); rid = sys.argv[2]
enc = lambda v: 'NaN' if math.isnan(v) else v
r = c.get_run(rid)
def walk(p=None):
    out = []
    for f in c.list_artifacts(rid, p):
        out += walk(f.path) if f.is_dir else [f.path]
    return out
print(json.dumps({'status': r.info.status, 'name': r.info.run_name, 'params': r.data.params,
  'tags': {k: v for k, v in r.data.tags.items() if k.startswith('mlflow.user') or k == 'mlflow.runName' or k == 'mlflow.source.name'},
  'loss': [[m.step, enc(m.value)] for m in sorted(c.get_metric_history(rid, 'training/loss'), key=lambda m: m.step)],
  'acc': [[m.step, enc(m.value)] for m in sorted(c.get_metric_history(rid, 'training/accuracy'), key=lambda m: m.step)],
  'artifacts': sorted(walk())}))`,
      { args: [server.url, runId] },
    )) as {
      status: string;
      name: string;
      params: Record<string, string>;
      tags: Record<string, string>;
      loss: [number, number | string][];
      acc: [number, number | string][];
      artifacts: string[];
    };
    expect(py.status).toBe('FINISHED');
    expect(py.name).toBe('exact');
    expect(py.params).toEqual({ lr: '0.001', optimizer: 'adam', layers: '3', shuffle: 'true' });
    expect(py.tags['mlflow.runName']).toBe('exact');
    expect(py.tags['mlflow.user']).toBeTruthy();
    // The SQL store clamps ±Infinity to ±max double (documented server behaviour, spec §1.6); NaN round-trips.
    expect(py.loss).toEqual([
      [1, 0.125],
      [big, Number.MAX_VALUE],
      [2 ** 52, 1e-300],
    ]);
    expect(py.acc).toEqual([
      [1, 'NaN'],
      [big, -Number.MAX_VALUE],
    ]);
    expect(py.artifacts).toEqual(['checkpoints/model/meta.txt', 'checkpoints/model/weights.json', 'config.json', 'text/model/summary/step_3.md'].sort());
  }, 120_000);

  it("uploads images where MLflow's own log_image puts them, so the run page's image gallery shows them", async () => {
    const tracker = createMlflowTracker({ trackingUri: server.url, experiment: 'images', runName: 'gallery', handleExit: false, logLevel: 'silent', env: {} });
    const pixels = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    tracker.logImage('evaluation/confusion_matrix', { width: 3, height: 2, channels: 3, data: pixels }, { step: 4 });
    tracker.logImage('evaluation/confusion_matrix', { width: 3, height: 2, channels: 3, data: pixels.map((v) => 255 - v) }, { step: 5 });
    await tracker.flush();
    const runId = runIdOf(tracker);
    await tracker.close();
    expect(tracker.stats().exporters[0]).toMatchObject({ exported: 2, failed: 0 });
    const py = (await runPython(
      `import sys, json
from mlflow.tracking import MlflowClient
from PIL import Image
c = MlflowClient(tracking_uri=sys.argv[1]); rid = sys.argv[2]
files = sorted(f.path for f in c.list_artifacts(rid, 'images'))
pngs = [f for f in files if f.endswith('.png')]
img = Image.open(c.download_artifacts(rid, pngs[0]))
print(json.dumps({'files': files, 'size': list(img.size), 'mode': img.mode, 'pixels': [list(p) for p in img.getdata()],
  'tag': c.get_run(rid).data.tags.get('mlflow.loggedImages')}))`,
      { args: [server.url, runId] },
    )) as { files: string[]; size: number[]; mode: string; pixels: number[][]; tag: string };
    expect(py.tag).toBe('True');
    expect(py.files).toHaveLength(4);
    for (const step of [4, 5]) {
      const forStep = py.files.filter((f) => f.includes(`+step+${step}+`));
      expect(forStep.map((f) => f.replace(/timestamp\+\d+\+[0-9a-f-]{36}/, 'T'))).toEqual([
        `images/evaluation~confusion_matrix+step+${step}+T+compressed.webp`,
        `images/evaluation~confusion_matrix+step+${step}+T.png`,
      ]);
    }
    expect(py.size).toEqual([3, 2]);
    expect(py.mode).toBe('RGB');
    expect(py.pixels.flat()).toEqual([...pixels]);
  }, 120_000);

  it('refuses to change a param with a clear, non-retryable error, and keeps logging the rest', async () => {
    const lines: string[] = [];
    const tracker = createMlflowTracker({
      trackingUri: server.url,
      experiment: 'params',
      handleExit: false,
      logger: createLogger({ sink: (_l, line) => lines.push(line) }),
      env: {},
    });
    tracker.logHyperparams({ lr: 0.1 });
    await tracker.flush();
    tracker.logHyperparams({ lr: 0.2 });
    tracker.log({ 'training/loss': 1 }, { step: 0 });
    await tracker.close();
    expect(lines.join('\n')).toMatch(/params are immutable: "lr" was "0.1", cannot change it to "0.2"/);
    expect(await history(server.url, runIdOf(tracker), 'training/loss')).toEqual([{ step: 0, value: 1 }]);
    // The conflicting record is counted as failed, the rest as exported; nothing is retried or spooled.
    expect(tracker.stats().exporters[0]).toMatchObject({ exported: 2, failed: 1, retried: 0, spilled: 0 });
  }, 60_000);

  it('without a tracking URI spools at once, says so once, and closes promptly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-nouri-'));
    const lines: string[] = [];
    const tracker = createMlflowTracker({
      experiment: 'nouri',
      handleExit: false,
      env: {},
      spillDir: dir,
      logger: createLogger({ sink: (_l, line) => lines.push(line) }),
    });
    for (let i = 0; i < 50; i++) tracker.log({ 'training/loss': i }, { step: i });
    const started = Date.now();
    await tracker.close();
    expect(Date.now() - started).toBeLessThan(5000); // not the 10 s close deadline: nothing is retried
    expect(tracker.stats().exporters[0]).toMatchObject({ exported: 0, failed: 0, spilled: 50 });
    expect(lines.filter((l) => l.includes('no MLflow tracking URI'))).toHaveLength(1);
    expect(readdirSync(dir)).toHaveLength(1);
  }, 30_000);

  it('gets or creates the experiment safely when several processes race', async () => {
    const name = `race-${Date.now()}`;
    const exporters = Array.from({ length: 6 }, () => createMlflowExporter({ trackingUri: server.url, experimentName: name, logger: quiet(), env: {} }));
    const results = await Promise.all(exporters.map((e) => e.start({ experiment: name, runName: 'r', tags: {}, startTime: Date.now() })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(exporters.map((e) => e.runIds().experimentId)).size).toBe(1);
    await Promise.all(exporters.map((e) => e.shutdown({ status: 'killed' })));
    const status = await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${exporters[0]!.runIds().runId}`).then(
      (r) => r.json() as Promise<{ run: { info: { status: string } } }>,
    );
    expect(status.run.info.status).toBe('KILLED');
  }, 60_000);

  it('resumes a run by id from a run handle and registers a model version from its artifacts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-model-'));
    writeFileSync(join(dir, 'model.json'), '{"weights":[1]}');
    const first = createMlflowTracker({ trackingUri: server.url, experiment: 'registry', runName: 'train', handleExit: false, logLevel: 'silent', env: {} });
    first.log({ 'training/loss': 1 }, { step: 0 });
    first.logArtifact(join(dir, 'model.json'), { artifactPath: 'model' });
    await first.flush();
    const handle = first.runHandle();
    await first.close();
    const again = createMlflowTracker({ trackingUri: server.url, resume: handle, handleExit: false, logLevel: 'silent', env: {} });
    again.log({ 'training/loss': 0.5 });
    await again.flush();
    expect(runIdOf(again)).toBe(handle.runIds.mlflow!.runId);
    const native = (again as unknown as { stats(): unknown }) && undefined;
    void native;
    const exporter = createMlflowExporter({ trackingUri: server.url, logger: quiet(), env: {} });
    await exporter.start({ experiment: 'registry', runName: 'train', tags: {}, startTime: Date.now(), resume: handle.runIds.mlflow });
    const version = await exporter.native().registerModel('demo-mlp', 'model', { description: 'test' });
    await again.close();
    expect(await history(server.url, handle.runIds.mlflow!.runId!, 'training/loss')).toEqual([
      { step: 0, value: 1 },
      { step: 1, value: 0.5 },
    ]);
    const mv = (await runPython(
      `import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
v = c.get_model_version('demo-mlp', sys.argv[2])
print(json.dumps({'run_id': v.run_id, 'source': v.source, 'status': v.status}))`,
      { args: [server.url, version.version] },
    )) as { run_id: string; source: string };
    expect(mv.run_id).toBe(handle.runIds.mlflow!.runId);
    expect(mv.source).toMatch(/\/artifacts\/model$/);
  }, 90_000);
});

describe('faults: nothing lost, nothing duplicated, the caller never waits', () => {
  it('429 storms with Retry-After, 503s, dropped connections and latency: every point arrives exactly once', async () => {
    const proxy = await startFaultProxy({ target: server.url, seed: 7 });
    try {
      const tracker = createMlflowTracker({
        trackingUri: proxy.url,
        experiment: 'faults',
        handleExit: false,
        logLevel: 'silent',
        env: {},
        batch: { maxBatchSize: 500, scheduledDelayMs: 20 },
        retry: { initialDelayMs: 20, maxDelayMs: 200 },
      });
      await tracker.flush(); // run created before the storm
      proxy.setFaults({ status429: { ratio: 0.2, retryAfterS: 0.1 }, status503: 0.15, resetRatio: 0.15, latencyMs: 30, pathFilter: /log-batch/ });
      const N = 5000;
      const t0 = performance.now();
      for (let i = 0; i < N; i++) tracker.log({ 'training/loss': i }, { step: i });
      const callerMs = performance.now() - t0;
      await tracker.flush();
      proxy.clear();
      await tracker.close();
      const s = proxy.stats();
      expect(s.faults.status429 + s.faults.status503 + s.faults.reset).toBeGreaterThan(0);
      const got = await history(server.url, runIdOf(tracker), 'training/loss');
      expect(got.map((m) => m.step)).toEqual(Array.from({ length: N }, (_, i) => i));
      expect(got.every((m) => m.value === m.step)).toBe(true);
      expect(tracker.stats().exporters[0]!.retried).toBeGreaterThan(0);
      expect(callerMs).toBeGreaterThanOrEqual(0); // reported, not asserted: the caller never awaited the network
    } finally {
      await proxy.stop();
    }
  }, 180_000);

  it('a lost answer to runs/create: the retried start finds the run it made, so there is one run, not two', async () => {
    const proxy = await startFaultProxy({ target: server.url });
    try {
      proxy.setFaults({ lostResponse: { firstN: 1 }, pathFilter: /runs\/create/ });
      const tracker = createMlflowTracker({
        trackingUri: proxy.url,
        experiment: 'lost-create',
        handleExit: false,
        logLevel: 'silent',
        env: {},
        retry: { initialDelayMs: 20, maxDelayMs: 200 },
      });
      for (let i = 0; i < 100; i++) tracker.log({ 'training/loss': i }, { step: i });
      await tracker.close();
      expect(proxy.stats().faults.lostResponse).toBe(1);
      const runs = (await runPython(
        `import sys, json
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
e = c.get_experiment_by_name('lost-create')
print(json.dumps([{'id': r.info.run_id, 'status': r.info.status} for r in c.search_runs([e.experiment_id])]))`,
        { args: [server.url] },
      )) as { id: string; status: string }[];
      expect(runs).toEqual([{ id: runIdOf(tracker), status: 'FINISHED' }]);
      expect((await history(server.url, runIdOf(tracker), 'training/loss')).length).toBe(100);
    } finally {
      await proxy.stop();
    }
  }, 120_000);

  it('server killed and restarted mid-run: points spool and arrive once after recovery', async () => {
    const own = await startMlflowServer();
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-spool-'));
    try {
      const tracker = createMlflowTracker({
        trackingUri: own.url,
        experiment: 'restart',
        handleExit: false,
        logLevel: 'silent',
        env: {},
        spillDir: dir,
        batch: { maxBatchSize: 200, scheduledDelayMs: 20, maxQueueSize: 1000 },
        retry: { initialDelayMs: 50, maxDelayMs: 500 },
      });
      for (let i = 0; i < 1000; i++) tracker.log({ 'training/loss': i }, { step: i });
      await tracker.flush();
      await own.kill();
      for (let i = 1000; i < 4000; i++) tracker.log({ 'training/loss': i }, { step: i });
      await new Promise((r) => setTimeout(r, 500));
      await own.restart();
      for (let i = 4000; i < 5000; i++) tracker.log({ 'training/loss': i }, { step: i });
      await tracker.flush();
      await tracker.close();
      const got = await history(own.url, runIdOf(tracker), 'training/loss');
      expect(got.map((m) => m.step)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
      expect(tracker.stats().exporters[0]!.spilled).toBeGreaterThan(0);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await own.stop();
    }
  }, 240_000);

  it('without a reachable server points go to a spool that `metrics-mlflow replay` sends once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-offline-'));
    const tracker = createMlflowTracker({
      trackingUri: 'http://127.0.0.1:9',
      experiment: 'offline',
      runName: 'later',
      nonFinite: 'keep',
      handleExit: false,
      logLevel: 'silent',
      env: {},
      spillDir: dir,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    for (let i = 0; i < 300; i++) tracker.log({ 'training/loss': i / 10 }, { step: i });
    tracker.log({ 'training/accuracy': Number.NaN }, { step: 300 });
    await tracker.close(undefined, { timeoutMs: 500 });
    expect(readdirSync(dir)).toHaveLength(1);
    const cli = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/cli.ts'), 'replay', dir, '--tracking-uri', server.url], {
      encoding: 'utf8',
      cwd: join(import.meta.dirname, '..'),
    });
    expect(cli.stdout + cli.stderr).toMatch(/✅ .*301 records sent to run ([0-9a-f]{32})/);
    expect(cli.status).toBe(0);
    const runId = /to run ([0-9a-f]{32})/.exec(cli.stdout)![1]!;
    expect((await history(server.url, runId, 'training/loss')).length).toBe(300);
    expect(await history(server.url, runId, 'training/accuracy')).toEqual([{ step: 300, value: 'NaN' }]);
    expect(readdirSync(dir)).toEqual([]);
    const again = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/cli.ts'), 'replay', dir, '--tracking-uri', server.url], {
      encoding: 'utf8',
      cwd: join(import.meta.dirname, '..'),
    });
    expect(again.stdout).toMatch(/nothing to replay/);
  }, 120_000);

  it('never puts the token in an error or log line', async () => {
    const secret = 'tok-SECRET-1234567890';
    const lines: string[] = [];
    const exporter = createMlflowExporter({
      trackingUri: 'http://127.0.0.1:9',
      token: secret,
      logger: createLogger({ sink: (_l, line) => lines.push(line) }),
      env: {},
    });
    const r = await exporter.start({ experiment: 'e', runName: 'r', tags: {}, startTime: Date.now() });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(MlflowApiError.isInstance(r.error)).toBe(true);
      expect(r.retryable).toBe(true);
      expect(JSON.stringify({ m: r.error.message, s: r.error.stack })).not.toContain(secret);
    }
    expect(lines.join('\n')).not.toContain(secret);
  });
});
