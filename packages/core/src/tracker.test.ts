import { mkdtempSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTracker, type TrackerOptions } from './tracker.js';
import { createLogger } from './logger.js';
import { ExportError, InvalidMetricNameError, InvalidMetricValueError, MetricsError } from './errors.js';
import { MAX_STEP } from './validation.js';
import { InMemoryExporter } from './testing/in-memory-exporter.js';
import { runExporterConformance } from './testing/conformance.js';
import { encodeSpoolLine, openSpool, readSpool } from './spool.js';
import type { ExportResult } from './spec.js';

function setup(extra: Partial<TrackerOptions> = {}, exporter = new InMemoryExporter()) {
  const lines: string[] = [];
  const tracker = createTracker({
    exporters: [exporter],
    experiment: 'exp',
    runName: 'run',
    handleExit: false,
    logger: createLogger({ sink: (_l, line) => lines.push(line) }),
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
  return { tracker, exporter, lines };
}

runExporterConformance('in-memory', async () => ({ exporter: new InMemoryExporter(), readScalars: undefined }));

describe('tracker basics', () => {
  it('delivers scalars in order with steps and wall times, and starts the run once', async () => {
    const { tracker, exporter } = setup();
    tracker.log({ 'training/loss': 1, 'training/accuracy': 0.5 }, { step: 10, wallTime: 1234 });
    tracker.log({ 'training/loss': 0.5 });
    expect(tracker.step).toBe(12);
    await tracker.flush();
    expect(exporter.records).toEqual([
      { kind: 'scalar', name: 'training/loss', value: 1, step: 10, wallTime: 1234 },
      { kind: 'scalar', name: 'training/accuracy', value: 0.5, step: 10, wallTime: 1234 },
      expect.objectContaining({ kind: 'scalar', name: 'training/loss', value: 0.5, step: 11 }),
    ]);
    expect(exporter.starts).toBe(1);
    expect(exporter.run).toMatchObject({ experiment: 'exp', runName: 'run' });
    await tracker.close();
    expect(exporter.outcome).toEqual({ status: 'finished' });
    expect(exporter.shutdowns).toBe(1);
  });

  it('carries every record kind', async () => {
    const { tracker, exporter } = setup();
    tracker.logHyperparams({ lr: 0.1, opt: 'adam' }, { metrics: ['validation/accuracy'] });
    tracker.logConfig({ model: { layers: 2 } });
    tracker.logHistogram('model/weights', [1, 2, 3], { step: 1 });
    tracker.logImage('evaluation/confusion', { width: 1, height: 1, channels: 1, data: new Uint8Array([7]) }, { step: 1 });
    tracker.logText('model/summary', 'hello', { step: 1 });
    tracker.setSummary({ 'evaluation/accuracy': 0.9 });
    tracker.logArtifact('/tmp/model.json', { artifactPath: 'model' });
    await tracker.close();
    expect(exporter.records.map((r) => r.kind)).toEqual(['hparams', 'config', 'histogram', 'image', 'text', 'summary', 'artifact']);
  });

  it('close is idempotent, later calls are ignored and counted, and await using closes', async () => {
    const { tracker, exporter, lines } = setup();
    await Promise.all([tracker.close(), tracker.close()]);
    tracker.log({ 'training/loss': 1 });
    expect(exporter.shutdowns).toBe(1);
    expect(tracker.stats().skipped).toBe(1);
    expect(lines.some((l) => l.includes('after close'))).toBe(true);
    const other = new InMemoryExporter();
    {
      await using t = createTracker({ exporters: [other], handleExit: false, logLevel: 'silent' });
      t.log({ 'training/loss': 2 });
    }
    expect(other.shutdowns).toBe(1);
    expect(other.count).toBe(1);
  });

  it('resumes from a run handle at the saved step', async () => {
    const { tracker, exporter: first } = setup();
    tracker.log({ 'training/loss': 1 }, { step: 41 });
    await tracker.flush();
    const handle = JSON.parse(JSON.stringify(tracker.runHandle()));
    await tracker.close();
    expect(first.run?.resumeStep).toBeUndefined();
    const { tracker: resumed, exporter } = setup({ resume: handle, runName: undefined, experiment: undefined });
    resumed.log({ 'training/loss': 0.5 });
    await resumed.close();
    expect(exporter.run?.runName).toBe('run');
    expect(exporter.run?.resume).toEqual({ runName: 'run' });
    // Exporters learn where the run continues (TensorBoard hides the earlier attempt's points from there on).
    expect(exporter.run?.resumeStep).toBe(42);
    expect(exporter.scalars()[0]?.step).toBe(42);
  });
});

describe('validation policies', () => {
  it('strict: typed errors naming the metric and the rule', () => {
    const { tracker } = setup({ validation: 'strict' });
    let caught: unknown;
    try {
      tracker.log({ 'Bad Name': 1 });
    } catch (e) {
      caught = e;
    }
    expect(InvalidMetricNameError.isInstance(caught)).toBe(true);
    expect(MetricsError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/"Bad Name".*must be hierarchical/);
    expect(() => tracker.log({ 'training/loss': 'x' as unknown as number })).toThrow(/training\/loss.*must be a number/);
    expect(() => tracker.log({ 'training/loss': 1 }, { step: -1 })).toThrow(InvalidMetricValueError);
  });

  it('warn: keeps an invalid name under custom/<sanitized name> (warning once per name); skips and counts a non-number', async () => {
    const { tracker, exporter, lines } = setup();
    tracker.log({ 'Bad Name': 1, 'training/loss': 2 }, { step: 0 });
    tracker.log({ 'Bad Name': 1 }, { step: 1 });
    tracker.log({ 'training/loss': '3' as unknown as number });
    await tracker.flush();
    expect(exporter.scalars()).toEqual([
      { name: 'custom/bad_name', value: 1, step: 0 },
      { name: 'training/loss', value: 2, step: 0 },
      { name: 'custom/bad_name', value: 1, step: 1 },
    ]);
    expect(lines.filter((l) => l.includes('Bad Name'))).toHaveLength(1);
    expect(tracker.stats()).toMatchObject({ skipped: 1, skippedBy: { invalidValue: 1 } });
  });

  it('normalize with nonFinite "keep": rewrites names, migrates legacy ones, keeps NaN and Infinity', async () => {
    const { tracker, exporter } = setup({ validation: 'normalize', nonFinite: 'keep' });
    tracker.log({ valLoss: 1, loss: 2, 'training/x': Number.NaN, 'training/y': -Infinity }, { step: 0 });
    await tracker.flush();
    expect(exporter.scalars()).toEqual([
      { name: 'custom/val_loss', value: 1, step: 0 },
      { name: 'training/loss', value: 2, step: 0 },
      { name: 'training/x', value: Number.NaN, step: 0 },
      { name: 'training/y', value: -Infinity, step: 0 },
    ]);
  });

  it('warn mode: log() never throws, whatever it is given (property)', async () => {
    const { tracker } = setup({ logger: createLogger({ level: 'silent' }) });
    const anyValue = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null), fc.constant(undefined), fc.object(), fc.boolean(), fc.bigInt());
    const anyStep = fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60), fc.constant(-0), fc.constant(undefined));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), anyValue), anyStep, (values, step) => {
        tracker.log(values as Record<string, number>, { step: step as number });
        tracker.logText(String(step), values as unknown as string);
        tracker.logHistogram('model/w', values as unknown as number[]);
        tracker.logHyperparams(values as Record<string, string>);
      }),
      { numRuns: 300 },
    );
    await tracker.close();
  });

  it('a histogram "array" that is an object with a huge length is skipped without reserving its length in memory', async () => {
    // fast-check's strings include "length": `{ length: 2147483647 }` once reserved 16 GiB per call (a CI fork was OOM-killed).
    const { tracker } = setup({ logger: createLogger({ level: 'silent' }) });
    const before = process.memoryUsage().arrayBuffers;
    tracker.logHistogram('model/w', { length: 2 ** 31 - 1, 0: 1.5 } as unknown as number[]);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
    tracker.logHistogram('model/w', { length: 3, 0: 1, 1: 2, 2: 3 } as unknown as number[]); // a real array-like still works
    await tracker.close();
    expect(tracker.stats()).toMatchObject({ skipped: 1, accepted: 1 });
  });

  it('strict mode: every error is a MetricsError that names the metric (property)', () => {
    const { tracker } = setup({ validation: 'strict' });
    fc.assert(
      fc.property(fc.string(), fc.oneof(fc.double(), fc.string(), fc.constant(null)), (name, value) => {
        try {
          tracker.log({ [name]: value as number }, { step: 1 });
        } catch (e) {
          expect(MetricsError.isInstance(e)).toBe(true);
          expect((e as Error).message).toContain(JSON.stringify(name));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('pipeline resilience', () => {
  it('retries a failing export and delivers once, counting retries', async () => {
    const exporter = new InMemoryExporter();
    let failures = 2;
    exporter.failWith = (): ExportResult => (failures-- > 0 ? { ok: false, retryable: true, error: new Error('503'), retryAfterMs: 1 } : { ok: true });
    const { tracker } = setup({}, exporter);
    tracker.log({ 'training/loss': 1, 'training/accuracy': 2 });
    await tracker.flush();
    expect(exporter.count).toBe(2);
    expect(tracker.stats().exporters[0]).toMatchObject({ exported: 2, retried: 4, failed: 0, lastError: '503' });
  });

  it('retries only the undelivered remainder of a partly delivered batch', async () => {
    const exporter = new InMemoryExporter();
    let first = true;
    exporter.failWith = (batch): ExportResult => {
      if (!first) return { ok: true };
      first = false;
      exporter.records.push(batch[0]!); // pretend the first record arrived
      return { ok: false, retryable: true, error: new Error('reset'), remaining: batch.slice(1) };
    };
    const { tracker } = setup({}, exporter);
    tracker.log({ 'training/a': 1, 'training/b': 2, 'training/c': 3 });
    await tracker.flush();
    expect(exporter.records.map((r) => (r as { name: string }).name)).toEqual(['training/a', 'training/b', 'training/c']);
    expect(tracker.stats().exporters[0]?.exported).toBe(3);
  });

  it('a hanging or throwing exporter does not delay the others', async () => {
    const hanging = new InMemoryExporter('hanging');
    hanging.failWith = () => new Promise<ExportResult>(() => {});
    const throwing = new InMemoryExporter('throwing');
    throwing.failWith = () => {
      throw new Error('boom');
    };
    const healthy = new InMemoryExporter('healthy');
    const lines: string[] = [];
    const tracker = createTracker({
      exporters: [hanging, throwing, healthy],
      handleExit: false,
      batch: { exportTimeoutMs: 50 },
      retry: { initialDelayMs: 1, maxDelayMs: 2, deadlineMs: 100 },
      logger: createLogger({ sink: (_l, line) => lines.push(line) }),
    });
    tracker.log({ 'training/loss': 1 });
    await tracker.flush();
    expect(healthy.count).toBe(1);
    await tracker.close(undefined, { timeoutMs: 500 });
    const stats = Object.fromEntries(tracker.stats().exporters.map((e) => [e.name, e]));
    expect(stats.healthy).toMatchObject({ exported: 1, failed: 0 });
    expect(stats.hanging).toMatchObject({ exported: 0, failed: 1 });
    expect(stats.throwing).toMatchObject({ exported: 0, failed: 1, lastError: 'boom' });
    expect(lines.filter((l) => l.includes('❌') && l.includes('throwing'))).toHaveLength(1);
  });

  it("drops with counts when a queue is full (fullQueue 'drop')", async () => {
    const exporter = new InMemoryExporter();
    exporter.failWith = () => new Promise<ExportResult>(() => {});
    const { tracker } = setup({ fullQueue: 'drop', batch: { maxQueueSize: 10, maxBatchSize: 5, exportTimeoutMs: 10_000 } }, exporter);
    for (let i = 0; i < 30; i++) tracker.log({ 'training/loss': i });
    tracker.flush();
    expect(tracker.stats().exporters[0]).toMatchObject({ dropped: 20, queued: 10 });
    expect(tracker.stats().accepted).toBe(30);
  });

  it('spills to disk while a backend is down and replays everything once, in order, after it recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const exporter = new InMemoryExporter();
    let down = true;
    exporter.failWith = (): ExportResult => (down ? { ok: false, retryable: true, error: new Error('ECONNREFUSED') } : { ok: true });
    const { tracker } = setup(
      { fullQueue: 'spill', spillDir: dir, batch: { maxQueueSize: 20, maxBatchSize: 10 }, retry: { initialDelayMs: 1, maxDelayMs: 5, deadlineMs: 20 } },
      exporter,
    );
    for (let i = 0; i < 100; i++) tracker.log({ 'training/loss': i }, { step: i });
    await new Promise((r) => setTimeout(r, 100));
    expect(tracker.stats().exporters[0]!.spilled).toBeGreaterThan(0);
    down = false;
    await tracker.flush();
    await tracker.close();
    expect(exporter.scalars().map((s) => s.step)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(readdirSync(dir)).toEqual([]); // nothing left to replay
  });

  it('leaves a readable spool (NaN and all) when the backend is still down at close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const exporter = new InMemoryExporter();
    exporter.failWith = (): ExportResult => ({ ok: false, retryable: true, error: new Error('down') });
    const { tracker } = setup({ fullQueue: 'spill', spillDir: dir, retry: { initialDelayMs: 1, maxDelayMs: 2, deadlineMs: 10 }, nonFinite: 'keep' }, exporter);
    tracker.log({ 'training/loss': Number.NaN, 'training/accuracy': 1 }, { step: 2 ** 40 });
    tracker.logImage('evaluation/img', { width: 1, height: 1, channels: 1, data: new Uint8Array([9]) }, { step: 1 });
    await tracker.close(undefined, { timeoutMs: 200 });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const { header, records } = readSpool(join(dir, files[0]!));
    expect(header).toMatchObject({ exporter: 'memory', run: { experiment: 'exp', runName: 'run' } });
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ name: 'training/loss', step: 2 ** 40 });
    expect(Number.isNaN((records[0] as { value: number }).value)).toBe(true);
    expect((records[2] as { image: { data: Uint8Array } }).image.data).toEqual(new Uint8Array([9]));
    expect(existsSync(join(dir, files[0]!))).toBe(true);
  });

  it('counts records the backend rejects as failed and never spools them (no retry loop)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const exporter = new InMemoryExporter();
    // The backend takes every record except those named 'training/bad' (like a param conflict: HTTP 400).
    exporter.failWith = (batch): ExportResult => {
      const bad = batch.filter((r) => 'name' in r && r.name === 'training/bad');
      return bad.length ? { ok: false, retryable: false, error: new Error('400 INVALID_PARAMETER_VALUE'), remaining: bad } : { ok: true };
    };
    const { tracker, lines } = setup({ fullQueue: 'spill', spillDir: dir }, exporter);
    tracker.log({ 'training/loss': 1, 'training/bad': 2 }, { step: 0 });
    await tracker.flush({ timeoutMs: 2000 });
    await tracker.close();
    expect(tracker.stats().exporters[0]).toMatchObject({ exported: 1, failed: 1, spilled: 0, retried: 0 });
    expect(exporter.exports).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    expect(lines.filter((l) => l.includes('❌') && l.includes('400 INVALID_PARAMETER_VALUE'))).toHaveLength(1);
  });

  it('spools everything when the run cannot be started at all, so a replay can create it later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const exporter = new InMemoryExporter();
    exporter.start = async () => ({ ok: false, retryable: false, error: new Error('no tracking URI configured') });
    const { tracker } = setup({ fullQueue: 'spill', spillDir: dir }, exporter);
    tracker.log({ 'training/loss': 1 }, { step: 0 });
    await tracker.flush({ timeoutMs: 2000 });
    tracker.log({ 'training/loss': 2 }, { step: 1 });
    await tracker.close(undefined, { timeoutMs: 2000 });
    expect(tracker.stats().exporters[0]).toMatchObject({ exported: 0, failed: 0, spilled: 2 });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(readSpool(join(dir, files[0]!)).records.map((r) => (r as { step: number }).step)).toEqual([0, 1]);
  });

  it('a run that cannot start is warned about; a backend offline by configuration is said once at info (spooling is its plan)', async () => {
    const run = async (error: Error) => {
      const dir = mkdtempSync(join(tmpdir(), 'spool-'));
      const exporter = new InMemoryExporter();
      exporter.start = async () => ({ ok: false, retryable: false, error });
      const { tracker, lines } = setup({ fullQueue: 'spill', spillDir: dir }, exporter);
      tracker.log({ 'training/loss': 1 }, { step: 0 });
      await tracker.close(undefined, { timeoutMs: 2000 });
      expect(tracker.stats().exporters[0]).toMatchObject({ exported: 0, failed: 0, spilled: 1 });
      expect(readdirSync(dir)).toHaveLength(1);
      return lines;
    };
    const denied = await run(new ExportError('HTTP 403 PERMISSION_DENIED', { isRetryable: false }));
    expect(denied.filter((l) => l.includes('⚠️'))).toEqual([
      expect.stringContaining('cannot start the run (HTTP 403 PERMISSION_DENIED)'),
      expect.stringContaining('is behind or unreachable; spooling records'),
      expect.stringContaining('1 records are waiting in'),
    ]);
    const offline = await run(new ExportError('no server URL configured; records go to the spool', { isRetryable: false, offline: true }));
    expect(offline.filter((l) => l.includes('⚠️') || l.includes('❌'))).toEqual([]);
    expect(offline).toEqual([
      '[metrics] memory: no server URL configured; records go to the spool.',
      expect.stringMatching(/^\[metrics\] memory: 1 records are waiting in .*; send them later/),
    ]);
  });

  it('a backend offline by configuration that got no records ends as planned, not failed', async () => {
    const exporter = new InMemoryExporter();
    exporter.start = async () => ({ ok: false, retryable: false, error: new ExportError('no server URL configured', { isRetryable: false, offline: true }) });
    const { tracker } = setup({ fullQueue: 'spill', spillDir: mkdtempSync(join(tmpdir(), 'spool-')) }, exporter);
    const report = await tracker.close(undefined, { timeoutMs: 2000 });
    expect(report.backends).toEqual([
      { name: 'memory', status: 'spooled', points: 0, offline: true, error: expect.stringContaining('no server URL configured') },
    ]);
  });

  it('at close, records still in memory go in front of those already on disk: the spool keeps the order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const exporter = new InMemoryExporter();
    exporter.failWith = (): ExportResult => ({ ok: false, retryable: true, error: new Error('down') });
    const { tracker } = setup(
      { fullQueue: 'spill', spillDir: dir, batch: { maxQueueSize: 50, maxBatchSize: 10 }, retry: { initialDelayMs: 1, maxDelayMs: 2 } },
      exporter,
    );
    for (let i = 0; i < 200; i++) tracker.log({ 'training/loss': i }, { step: i });
    await tracker.close(undefined, { timeoutMs: 100 });
    expect(tracker.stats().exporters[0]).toMatchObject({ spilled: 200, failed: 0, dropped: 0, queued: 0 });
    const files = readdirSync(dir);
    expect(readSpool(join(dir, files[0]!)).records.map((r) => (r as { step: number }).step)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('reads a spool in batches and reports a torn last line (a crash mid-write)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const path = join(dir, 's.jsonl');
    const header = { $spool: 1, exporter: 'x', run: { experiment: 'e', runName: 'r', tags: {}, startTime: 0 }, runIds: {} };
    const lines = [header, ...Array.from({ length: 25 }, (_, i) => ({ kind: 'scalar', name: 'training/loss', value: i, step: i, wallTime: 0 }))];
    writeFileSync(path, lines.map((l) => encodeSpoolLine(l)).join('\n') + '\n{"kind":"sca');
    const spool = openSpool(path);
    expect([...spool.batches(10)].map((b) => b.length)).toEqual([10, 10, 5]);
    expect(spool.tornTail()).toBe(true);
  });

  it('strict policy: every bad argument is a typed error naming the metric and the rule', () => {
    const { tracker } = setup({ validation: 'strict' });
    const cases: [() => void, RegExp][] = [
      [() => tracker.logHistogram('training/h', [1], { step: -1 }), /"training\/h".*step/],
      [() => tracker.logHistogram('training/h', null as unknown as number[]), /"training\/h".*histogram/],
      [() => tracker.logText('training/t', 5 as unknown as string), /"training\/t".*text must be a string/],
      [() => tracker.setSummary({ 'training/seed': 7n as unknown as number }), /"training\/seed".*summary value/],
    ];
    for (const [call, message] of cases) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(InvalidMetricValueError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('warn policy: a media call with a bad step, bad values or buckets is skipped and counted, never thrown', async () => {
    const { tracker, exporter } = setup();
    tracker.logHistogram('training/h', [1, 2], { step: -1 });
    tracker.logHistogram('training/h', [1n, 2n] as unknown as number[], { step: 1 });
    tracker.logHistogram(
      'training/h',
      { min: 0, max: 1, count: 1, sum: 1, sumSquares: 1, bucketLimits: [1], bucketCounts: null as unknown as number[] },
      { step: 1 },
    );
    tracker.logImage('training/i', { width: 1, height: 1, channels: 1, data: new Uint8Array(1) }, { step: 0.5 });
    tracker.logText('training/t', 'x', { step: Number.NaN });
    tracker.setSummary({ 'training/seed': 7n as unknown as number });
    await tracker.close();
    expect(tracker.stats().skipped).toBe(5);
    expect(exporter.records).toEqual([expect.objectContaining({ kind: 'summary', values: { 'training/seed': '"7"' } })]);
  });

  it('the implicit step never passes 2^53−1', async () => {
    const { tracker, exporter } = setup();
    tracker.log({ 'training/loss': 1 }, { step: MAX_STEP });
    tracker.log({ 'training/loss': 2 });
    await tracker.close();
    expect(exporter.scalars().map((s) => s.step)).toEqual([MAX_STEP, MAX_STEP]);
  });

  it('counts records an exporter cannot take', async () => {
    const scalarsOnly = new InMemoryExporter('scalars', ['scalar']);
    const { tracker } = setup({}, scalarsOnly);
    tracker.log({ 'training/loss': 1 });
    tracker.logText('model/summary', 'x');
    await tracker.close();
    expect(tracker.stats().exporters[0]).toMatchObject({ exported: 1, unsupported: 1 });
  });

  it('a kind one exporter lacks but another takes is routed silently (listed once at debug); a kind no exporter takes is warned about', async () => {
    const lines: string[] = [];
    const files = new InMemoryExporter('files', ['scalar', 'text']);
    const server = new InMemoryExporter('server', ['scalar', 'artifact']);
    const tracker = createTracker({
      exporters: [files, server],
      experiment: 'exp',
      handleExit: false,
      logger: createLogger({ level: 'debug', sink: (_l, line) => lines.push(line) }),
    });
    for (let i = 0; i < 3; i++) {
      tracker.logText('model/summary', 'x', { step: i });
      tracker.logArtifact('/tmp/model.json');
      tracker.logHistogram('model/weights/w', [1, 2], { step: i });
    }
    await tracker.close();
    expect(files.records.filter((r) => r.kind === 'text')).toHaveLength(3);
    expect(server.records.filter((r) => r.kind === 'artifact')).toHaveLength(3);
    expect(tracker.stats().exporters).toEqual([
      expect.objectContaining({ name: 'files', unsupported: 6 }),
      expect.objectContaining({ name: 'server', unsupported: 6 }),
    ]);
    const warnings = lines.filter((l) => l.includes('⚠️'));
    expect(warnings).toEqual([
      '[metrics] ⚠️ files does not support histogram records; they are skipped for it.',
      '[metrics] ⚠️ server does not support histogram records; they are skipped for it.',
    ]);
    expect(lines.filter((l) => l.includes('Routing by capability'))).toEqual([
      '[metrics] Routing by capability (those records go to the other backends only): files takes no artifact records; server takes no text records.',
    ]);
  });
});
