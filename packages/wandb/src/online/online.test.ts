import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '@metrics/core';
import { createWandbExporter, createWandbTracker } from '../exporter.js';
import { startFakeWandbServer, type FakeWandbServer } from '../testing/fake-wandb-server.js';
import type { OnlineNative } from './online-exporter.js';

const API_KEY = 'secretkey-' + 'a'.repeat(40);
let server: FakeWandbServer;
let lines: string[];
let logger: Logger;

beforeEach(async () => {
  server = await startFakeWandbServer();
  lines = [];
  logger = createLogger({ level: 'debug', sink: (_l, line) => lines.push(line) });
});
afterEach(() => server.close());

const fast = { intervalMs: 20, heartbeatMs: 60_000 };
const quickRetry = { initialDelayMs: 5, maxDelayMs: 50, deadlineMs: 30_000, maxAttempts: 30 };

function tracker(extra: Record<string, unknown> = {}) {
  return createWandbTracker({
    mode: 'online',
    apiKey: API_KEY,
    baseUrl: server.url,
    project: 'online-proj',
    runId: 'onl1',
    experiment: 'ignored',
    runName: 'online run',
    handleExit: false,
    logger,
    env: {},
    fileStream: fast,
    retry: quickRetry,
    ...extra,
  });
}

function points(run: string) {
  const out = new Map<string, unknown>();
  for (const row of server.history(run))
    for (const [k, v] of Object.entries(row)) if (!k.startsWith('_') && k !== 'global_step') out.set(`${k}@${row.global_step}`, v);
  return out;
}

describe('online client against the loopback W&B server', () => {
  it('creates the run, streams history and summary, uploads files and completes with the exit code', async () => {
    const t = tracker({ group: 'g', tags: { a: '1' } });
    t.logConfig({ lr: 0.5 });
    const expected = new Map<string, unknown>();
    for (let step = 0; step < 100; step++) {
      t.log({ 'training/loss': 1 / (step + 1) }, { step });
      expected.set(`training/loss@${step}`, 1 / (step + 1));
    }
    t.log({ 'validation/loss': 0.5 }, { step: 50 });
    expected.set('validation/loss@50', 0.5);
    t.setSummary({ 'evaluation/best': 0.01 });
    await t.close();

    const run = server.runs.get('onl1')!;
    expect(run).toMatchObject({
      project: 'online-proj',
      entity: 'fake-entity',
      displayName: 'online run',
      group: 'g',
      tags: ['a:1'],
      complete: true,
      exitcode: 0,
    });
    expect(run.config).toMatchObject({ lr: { value: 0.5 }, _wandb: { value: { m: [{ '1': 'global_step' }, { '2': '*', '5': 1 }] } } });
    expect(points('onl1')).toEqual(expected);
    const history = server.history('onl1');
    expect(history.map((h) => h._step)).toEqual(history.map((_, i) => i));
    for (const h of history) expect(h).toMatchObject({ _runtime: expect.any(Number), _timestamp: expect.any(Number) });
    expect(server.summary('onl1')).toMatchObject({
      'training/loss': 0.01,
      'validation/loss': 0.5,
      'evaluation/best': 0.01,
      _wandb: { runtime: expect.any(Number) },
    });
    expect([...server.uploads.keys()].sort()).toEqual(['onl1/config.yaml', 'onl1/wandb-summary.json']);
    expect(run.uploaded).toEqual(expect.arrayContaining(['config.yaml', 'wandb-summary.json']));
    const last = server.requests.filter((r) => r.kind === 'file_stream').at(-1)!;
    // Like wandb-core: the last request carries whatever is still pending (final summary, uploaded
    // files; a paced timer may have sent them just before) together with `complete` and the exit code.
    expect(last.json).toMatchObject({ complete: true, exitcode: 0 });
    for (const k of Object.keys(last.json as object)) expect(['complete', 'exitcode', 'files', 'uploaded']).toContain(k);
  });

  it('uploads images through signed URLs and streams system metrics to wandb-events.jsonl', async () => {
    const t = tracker({ runId: 'media1' });
    t.logImage('evaluation/sample', { width: 1, height: 2, channels: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6]) }, { step: 3 });
    t.log({ 'system/cpu': 42.5 }, { step: 3 });
    await t.close();
    const row = server.history('media1').find((h) => h['evaluation/sample'])!;
    const image = row['evaluation/sample'] as { _type: string; path: string; width: number; height: number; sha256: string };
    expect(image).toMatchObject({ _type: 'image-file', width: 1, height: 2, format: 'png' });
    expect(image.path).toMatch(/^media\/images\/evaluation_sample_3_[0-9a-f]{20}\.png$/);
    const bytes = server.uploads.get(`media1/${image.path}`)!;
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(image.sha256);
    expect(server.runs.get('media1')!.uploaded).toContain(image.path);
    const events = server.lines('media1', 'wandb-events.jsonl').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toEqual([{ 'system.cpu': 42.5, _wandb: true, _timestamp: expect.any(Number), _runtime: expect.any(Number) }]);
  });

  it('reports failure and kill outcomes as W&B exit codes', async () => {
    const t = tracker({ runId: 'fail1' });
    t.log({ 'training/loss': 1 }, { step: 0 });
    await t.close({ status: 'failed', exitCode: 2 });
    expect(server.runs.get('fail1')).toMatchObject({ complete: true, exitcode: 2 });
    const k = tracker({ runId: 'kill1' });
    await k.close({ status: 'killed', signal: 'SIGINT' });
    expect(server.runs.get('kill1')).toMatchObject({ complete: true, exitcode: 130 });
  });

  it('batches: many log calls become a few paced requests, never one per call', async () => {
    const t = tracker({ runId: 'paced', fileStream: { intervalMs: 60_000, heartbeatMs: 60_000 } });
    for (let step = 0; step < 500; step++) {
      t.log({ 'training/loss': step }, { step });
      if (step % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await t.close();
    const fs = server.requests.filter((r) => r.kind === 'file_stream');
    // the first request at once, the rest merged until close (urgent flush), then `complete`
    expect(fs.length).toBeLessThanOrEqual(3);
    expect(server.history('paced')).toHaveLength(500);
  });

  it('caps request size and keeps offsets contiguous', async () => {
    const t = tracker({ runId: 'capped', fileStream: { intervalMs: 10, heartbeatMs: 60_000, maxRequestBytes: 2_000 } });
    for (let step = 0; step < 300; step++) t.log({ 'training/loss': step, 'training/acc': step / 300 }, { step });
    await t.close();
    const fs = server.requests.filter((r) => r.kind === 'file_stream');
    let next = 0;
    for (const r of fs) {
      const h = (r.json as { files?: Record<string, { offset: number; content: string[] }> }).files?.['wandb-history.jsonl'];
      if (!h) continue;
      expect(h.offset).toBe(next);
      next += h.content.length;
      expect(h.content.join('').length).toBeLessThanOrEqual(2_000);
    }
    expect(next).toBe(300);
    expect(server.history('capped').map((h) => h.global_step)).toEqual([...Array(300).keys()]);
  });

  it('sends a heartbeat `{}` when idle', async () => {
    const exporter = createWandbExporter({
      mode: 'online',
      apiKey: API_KEY,
      baseUrl: server.url,
      runId: 'hb1',
      logger,
      env: {},
      fileStream: { intervalMs: 10, heartbeatMs: 30 },
      retry: quickRetry,
    });
    await exporter.start({ experiment: 'p', runName: 'hb', tags: {}, startTime: Date.now() });
    for (let i = 0; i < 200 && server.requests.filter((r) => r.kind === 'file_stream').length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const fs = server.requests.filter((r) => r.kind === 'file_stream');
    expect(fs.length).toBeGreaterThanOrEqual(2);
    expect(fs[0]!.json).toEqual({});
    await exporter.shutdown({ status: 'finished' });
    expect((exporter.native() as OnlineNative).fileStream!.stats.heartbeats).toBeGreaterThanOrEqual(2);
  });

  it('survives a 429 storm with Retry-After, 5xx and dropped connections without losing or duplicating a line', async () => {
    server.injectFaults('UpsertBucket', [{ status: 429, retryAfterS: 0.01 }, { reset: true }, { status: 503 }]);
    server.injectFaults('file_stream', [
      ...Array.from({ length: 8 }, () => ({ status: 429, retryAfterS: 0.02 })),
      { reset: true },
      { status: 502 },
      { reset: true },
    ]);
    server.injectFaults('upload', [{ status: 500 }, { reset: true }]);
    const t = tracker({ runId: 'storm' });
    const expected = new Map<string, unknown>();
    for (let step = 0; step < 200; step++) {
      t.log({ 'training/loss': step * 2 }, { step });
      expected.set(`training/loss@${step}`, step * 2);
      if (step % 20 === 0) await new Promise((r) => setTimeout(r, 3));
    }
    await t.close();
    const run = server.runs.get('storm')!;
    expect(run).toMatchObject({ complete: true, exitcode: 0 });
    expect(points('storm')).toEqual(expected);
    expect(server.lines('storm', 'wandb-history.jsonl')).toHaveLength(200);
    const statuses = server.requests.filter((r) => r.kind === 'file_stream').map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(8);
    expect(statuses.filter((s) => s === 0)).toHaveLength(2);
    // A retried request carries the same body as the failed one.
    const bodies = server.requests.filter((r) => r.kind === 'file_stream').map((r) => r.bytes.toString());
    expect(bodies[1]).toBe(bodies[0]);
    expect([...server.uploads.keys()].sort()).toEqual(['storm/config.yaml', 'storm/wandb-summary.json']);
    expect(lines.some((l) => l.includes('429'))).toBe(true);
    for (const l of lines) expect(l).not.toContain(API_KEY);
  });

  it("goes through core's HTTP client (undici), never the global fetch", async () => {
    const globalFetch = globalThis.fetch;
    globalThis.fetch = (() => Promise.reject(new Error('the global fetch was called'))) as typeof fetch;
    try {
      const t = tracker({ runId: 'nofetch' });
      for (let step = 0; step < 5; step++) t.log({ 'training/loss': step }, { step });
      await t.close();
      expect(server.runs.get('nofetch')).toMatchObject({ complete: true, exitcode: 0 });
      expect(server.lines('nofetch', 'wandb-history.jsonl')).toHaveLength(5);
    } finally {
      globalThis.fetch = globalFetch;
    }
  });

  it("stats() shows W&B's own file_stream queue, its HTTP retries and the lines lost to a request refused for good", async () => {
    server.injectFaults('file_stream', [{ status: 503 }, { status: 429, retryAfterS: 0.01 }]);
    const t = tracker({ runId: 'ownstats' });
    for (let step = 0; step < 50; step++) t.log({ 'training/loss': step }, { step });
    await t.flush();
    const after503 = t.stats().exporters[0]!.backend!;
    expect(after503.retried).toBe(2);
    expect(after503.queued).toBe(0);
    expect(after503).toMatchObject({ dropped: 0, failed: 0 });
    // 400 is never retried: the lines of that request are lost, and stats() says how many.
    server.injectFaults('file_stream', [{ status: 400 }]);
    for (let step = 50; step < 60; step++) t.log({ 'training/loss': step }, { step });
    await t.flush();
    const lost = t.stats().exporters[0]!.backend!;
    expect(lost.failed).toBe(1);
    expect(lost.dropped).toBe(10);
    expect(server.lines('ownstats', 'wandb-history.jsonl')).toHaveLength(50);
    await t.close();
    expect(t.stats().exporters[0]!.backend).toMatchObject({ queued: 0, retried: 2, dropped: 10, failed: 1 });
  });

  it('a media upload refused for good is reported once and never duplicates history rows', async () => {
    server.injectFaults('upload', [{ status: 403 }]);
    const t = tracker({ runId: 'media403' });
    t.logImage('evaluation/sample', { width: 1, height: 1, channels: 1, data: new Uint8Array([9]) }, { step: 0 });
    t.log({ 'training/loss': 1 }, { step: 0 });
    await t.close();
    const steps = server.history('media403').map((h) => h._step);
    expect(steps).toEqual([...Array(steps.length).keys()]); // each row once: no resend after the failure
    expect(steps.length).toBeLessThanOrEqual(2);
    expect(points('media403').get('training/loss@0')).toBe(1);
    expect(server.requests.filter((r) => r.kind === 'upload' && r.status === 403)).toHaveLength(1);
    expect(lines.filter((l) => l.includes('Uploading W&B media failed'))).toHaveLength(1);
    expect(t.stats().exporters[0]).toMatchObject({ failed: 0, retried: 0 });
  });

  it('does not retry a 400 and keeps the run going', async () => {
    server.injectFaults('file_stream', [{ status: 400 }]);
    const t = tracker({ runId: 'bad400' });
    t.log({ 'training/loss': 1 }, { step: 0 });
    await t.flush();
    t.log({ 'training/loss': 2 }, { step: 1 });
    await t.close();
    const statuses = server.requests.filter((r) => r.kind === 'file_stream').map((r) => r.status);
    expect(statuses[0]).toBe(400);
    expect(statuses.filter((s) => s === 400)).toHaveLength(1);
    expect(server.runs.get('bad400')).toMatchObject({ complete: true });
    expect(lines.filter((l) => l.includes('file_stream') && l.includes('400'))).toHaveLength(1);
  });

  it('resumes a run: _step and history offsets continue after the uploaded ones', async () => {
    const a = tracker({ runId: 'res1' });
    for (let step = 0; step < 10; step++) a.log({ 'training/loss': step }, { step });
    await a.close();
    const handle = a.runHandle();
    const b = tracker({ runId: undefined, resume: handle });
    for (let step = 5; step < 15; step++) b.log({ 'training/loss': 100 + step }, { step });
    await b.close();
    const history = server.history('res1');
    expect(history).toHaveLength(20);
    expect(history.map((h) => h._step)).toEqual([...Array(20).keys()]);
    expect(history.slice(10).map((h) => h.global_step)).toEqual([...Array(10).keys()].map((i) => i + 5));
    expect(server.requests.some((r) => r.kind === 'RunResumeStatus')).toBe(true);
  });

  it('fails start cleanly when resume is "must" and the run does not exist', async () => {
    const exporter = createWandbExporter({
      mode: 'online',
      apiKey: API_KEY,
      baseUrl: server.url,
      runId: 'nope',
      resumePolicy: 'must',
      logger,
      env: {},
      retry: quickRetry,
    });
    const r = await exporter.start({ experiment: 'p', runName: 'x', tags: {}, startTime: Date.now() });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.retryable).toBe(false);
  });

  it('never puts the API key in errors, logs or requests other than the auth header', async () => {
    const exporter = createWandbExporter({
      mode: 'online',
      apiKey: API_KEY,
      baseUrl: 'http://127.0.0.1:1',
      logger,
      env: {},
      retry: { ...quickRetry, maxAttempts: 2 },
    });
    const r = await exporter.start({ experiment: API_KEY, runName: 'x', tags: {}, startTime: Date.now() });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).not.toContain(API_KEY);
    for (const l of lines) expect(l).not.toContain(API_KEY);
  });
});
