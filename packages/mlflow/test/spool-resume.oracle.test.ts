// Spools unique per run attempt, replay of several runs, and resume from a handle taken inside a synchronous
// loop — against a real `mlflow server`.
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '@metrics/oracle';
import { useMlflowServer } from '@metrics/oracle/vitest';
import { createLogger, type RunHandle } from '@metrics/core';
import { listSpools, readSpool } from '@metrics/core/backend';
import { createMlflowTracker } from '../src/index.js';

const server = useMlflowServer();

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: join(import.meta.dirname, '..'),
  });

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as T;
}

/** Runs of an experiment by name, with each run's full `training/loss` history (step → value). */
async function runsOf(experiment: string): Promise<{ runId: string; name: string; loss: [number, number][] }[]> {
  const exp = await fetch(`${server.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experiment}`).then(
    (r) => r.json() as Promise<{ experiment: { experiment_id: string } }>,
  );
  const found = await post<{ runs?: { info: { run_id: string; run_name: string } }[] }>('/api/2.0/mlflow/runs/search', {
    experiment_ids: [exp.experiment.experiment_id],
    max_results: 100,
  });
  const out = [];
  for (const r of found.runs ?? []) {
    const h = await fetch(`${server.url}/api/2.0/mlflow/metrics/get-history?run_id=${r.info.run_id}&metric_key=training/loss&max_results=25000`).then(
      (x) => x.json() as Promise<{ metrics?: { step: number; value: number }[] }>,
    );
    out.push({
      runId: r.info.run_id,
      name: r.info.run_name,
      loss: (h.metrics ?? []).map((m) => [Number(m.step), m.value] as [number, number]).sort((a, b) => a[0] - b[0]),
    });
  }
  return out;
}

describe('spools of runs with the same name', () => {
  it('a second run named like the first keeps its own spool, and replay sends both runs with all their points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-two-spools-'));
    const lines: string[] = [];
    for (const offset of [0, 100]) {
      // No server configured: the user's usual offline run.
      const tracker = createMlflowTracker({
        experiment: 'mnist',
        runName: 'mlp',
        env: {},
        spillDir: dir,
        handleExit: false,
        logger: createLogger({ sink: (_l, line) => lines.push(line) }),
      });
      for (let step = 0; step < 10; step++) tracker.log({ 'training/loss': offset + step }, { step });
      await tracker.close();
    }
    const spools = listSpools(dir, { exporter: 'mlflow' });
    expect(spools).toHaveLength(2);
    expect(spools.map((s) => readSpool(s.path).records.map((r) => (r as { value: number }).value))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [100, 101, 102, 103, 104, 105, 106, 107, 108, 109],
    ]);
    // The close message names the exact command; running it (with the real server's URL) sends both runs.
    const waiting = lines.filter((l) => l.includes('records are waiting in'));
    expect(waiting).toHaveLength(2);
    expect(waiting[0]).toContain(`npx metrics-mlflow replay ${spools[0]!.path} --tracking-uri`);
    const replay = cli('replay', dir, '--tracking-uri', server.url);
    expect(replay.status).toBe(0);
    expect(replay.stdout.match(/✅ .* 10 records sent to run [0-9a-f]{32}/g)).toHaveLength(2);
    expect(readdirSync(dir)).toEqual([]);
    const runs = await runsOf('mnist');
    expect(runs.map((r) => r.name)).toEqual(['mlp', 'mlp']);
    expect(runs.map((r) => r.loss).sort((a, b) => a[0]![1] - b[0]![1])).toEqual([
      Array.from({ length: 10 }, (_, s) => [s, s]),
      Array.from({ length: 10 }, (_, s) => [s, 100 + s]),
    ]);
  }, 120_000);
});

describe('resume from a handle taken inside a synchronous loop', () => {
  it('the handle written right after the first log() (before the event loop turns) resumes the same MLflow run', async () => {
    let checkpoint = '';
    const first = createMlflowTracker({ trackingUri: server.url, experiment: 'sync-resume', runName: 'train', env: {}, handleExit: false, logLevel: 'silent' });
    // A training loop that never awaits: the checkpoint is written before any request could be answered.
    for (let step = 0; step < 10; step++) {
      first.log({ 'training/loss': step }, { step });
      if (step === 0) checkpoint = JSON.stringify(first.runHandle());
    }
    await first.close();
    const handle = JSON.parse(checkpoint) as RunHandle;
    expect(handle.runIds.mlflow?.runKey).toMatch(/^[0-9a-f]{32}$/);
    const second = createMlflowTracker({ trackingUri: server.url, resume: handle, env: {}, handleExit: false, logLevel: 'silent' });
    for (let step = 10; step < 20; step++) second.log({ 'training/loss': step }, { step });
    await second.close();
    const runs = await runsOf('sync-resume');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.loss).toEqual(Array.from({ length: 20 }, (_, s) => [s, s]));
    expect(second.runHandle().runIds.mlflow).toMatchObject({ runId: runs[0]!.runId, runKey: handle.runIds.mlflow!.runKey });
  }, 120_000);

  it('a run that never reached the server is created by the resuming process, and the first spool replays into it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-key-spool-'));
    const first = createMlflowTracker({ experiment: 'offline-then-resume', runName: 'train', env: {}, spillDir: dir, handleExit: false, logLevel: 'silent' });
    first.log({ 'training/loss': 0 }, { step: 0 });
    const handle = JSON.parse(JSON.stringify(first.runHandle())) as RunHandle;
    for (let step = 1; step < 5; step++) first.log({ 'training/loss': step }, { step });
    await first.close();
    const second = createMlflowTracker({ trackingUri: server.url, resume: handle, env: {}, handleExit: false, logLevel: 'silent' });
    for (let step = 5; step < 10; step++) second.log({ 'training/loss': step }, { step });
    await second.close();
    expect(cli('replay', dir, '--tracking-uri', server.url).status).toBe(0);
    const runs = await runsOf('offline-then-resume');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.loss).toEqual(Array.from({ length: 10 }, (_, s) => [s, s]));
  }, 120_000);
});

describe('an unreachable server', () => {
  it('is named (host:port) once with what to check, and the spool message gives the exact replay command', async () => {
    const port = await freePort(); // nothing listens there
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-unreachable-'));
    const lines: string[] = [];
    const tracker = createMlflowTracker({
      trackingUri: `http://127.0.0.1:${port}`,
      experiment: 'e',
      runName: 'r',
      env: {},
      spillDir: dir,
      handleExit: false,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
      logger: createLogger({ sink: (_l, line) => lines.push(line) }),
    });
    for (let step = 0; step < 20; step++) tracker.log({ 'training/loss': step }, { step });
    await new Promise((r) => setTimeout(r, 200)); // several attempts fail meanwhile
    await tracker.close();
    const unreachable = lines.filter((l) => l.includes('cannot reach the MLflow server'));
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]).toContain(`127.0.0.1:${port}`);
    expect(unreachable[0]).toMatch(/is `mlflow server` running/);
    expect(unreachable[0]).toMatch(/tracking URI/);
    expect(unreachable[0]).toMatch(/proxy/);
    const [spool] = listSpools(dir);
    expect(readSpool(spool!.path).records).toHaveLength(20);
    expect(lines.filter((l) => l.includes('records are waiting in'))).toEqual([
      expect.stringContaining(`send them later with: npx metrics-mlflow replay ${spool!.path} --tracking-uri http://127.0.0.1:${port}`),
    ]);
  }, 60_000);

  it('close() spools after one last attempt instead of retrying until closeTimeoutMs', async () => {
    // A server that accepts connections and drops them at once (a dead backend behind a port forward).
    const connections: Socket[] = [];
    const dead = createServer((socket) => {
      connections.push(socket);
      socket.destroy();
    });
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'mlflow-dead-close-'));
    try {
      const tracker = createMlflowTracker({
        trackingUri: `http://127.0.0.1:${port}`,
        experiment: 'e',
        runName: 'r',
        env: {},
        spillDir: dir,
        handleExit: false,
        logLevel: 'silent',
        closeTimeoutMs: 30_000,
        retry: { initialDelayMs: 20, maxDelayMs: 20 },
      });
      for (let step = 0; step < 20; step++) tracker.log({ 'training/loss': step }, { step });
      while (connections.length < 3) await new Promise((r) => setTimeout(r, 10)); // the backend is failing
      const beforeClose = connections.length;
      await tracker.close();
      // At most one more attempt: retrying every 20 ms until the 30 s deadline would make ~1500.
      expect(connections.length - beforeClose).toBeLessThanOrEqual(1);
      expect(tracker.stats().exporters[0]).toMatchObject({ exported: 0, failed: 0, spilled: 20 });
      expect(readSpool(listSpools(dir)[0]!.path).records).toHaveLength(20);
    } finally {
      await new Promise((r) => dead.close(r));
    }
  }, 60_000);
});
