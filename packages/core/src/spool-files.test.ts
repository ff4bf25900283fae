import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { listSpools, parseSpoolFileName, spoolFileName } from './spool-files.js';
import { replaySpool } from './spool-replay.js';
import { readSpool } from './spool.js';
import { InMemoryExporter } from './testing/in-memory-exporter.js';
import type { RunHandle } from './spec.js';
import { createTracker } from './tracker.js';

/** A tracker whose backend is down (every export fails, retryably) with the spill policy. */
function downTracker(spillDir: string, value: number, resume?: RunHandle) {
  const down = new InMemoryExporter('remote');
  down.failWith = () => ({ ok: false, retryable: true, error: new Error('down') });
  const tracker = createTracker({
    ...(resume ? { resume } : {}),
    exporters: [down],
    experiment: 'mnist',
    runName: 'mlp',
    fullQueue: 'spill',
    spillDir,
    handleExit: false,
    logLevel: 'silent',
    retry: { initialDelayMs: 1, maxDelayMs: 2 },
  });
  for (let step = 0; step < 3; step++) tracker.log({ 'training/loss': value + step }, { step });
  return tracker;
}

describe('spool file naming', () => {
  it('a second run with the same experiment and run name gets its own spool; the first is never overwritten', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-names-'));
    await downTracker(dir, 0).close();
    await downTracker(dir, 100).close();
    const spools = listSpools(dir);
    expect(spools).toHaveLength(2);
    expect(spools.map((s) => s.exporter)).toEqual(['remote', 'remote']);
    expect(spools.map((s) => readSpool(s.path).records.map((r) => (r as { value: number }).value))).toEqual([
      [0, 1, 2],
      [100, 101, 102],
    ]);
  });

  it('names carry experiment, run, exporter and start time; the names round-trip and sort by start time', () => {
    const run = { experiment: 'my exp/../x', runName: 'a__b', startTime: Date.UTC(2026, 0, 2, 3, 4, 5, 6) };
    const name = spoolFileName(run, 'mlflow', 'abc123');
    expect(name).toBe('my_exp_.._x__a_b__mlflow__20260102T030405006Z-abc123.jsonl');
    expect(parseSpoolFileName(name)).toEqual({ exporter: 'mlflow', startTime: run.startTime });
    expect(spoolFileName(run, 'mlflow')).not.toBe(spoolFileName(run, 'mlflow'));
    // The earlier contract's names are still found.
    expect(parseSpoolFileName('e__r__mlflow.jsonl')).toEqual({ exporter: 'mlflow' });
    expect(parseSpoolFileName('e__r__mlflow.jsonl.tmp')).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'spool-list-'));
    const later = spoolFileName({ ...run, startTime: run.startTime + 1000 }, 'mlflow');
    for (const f of [later, name, spoolFileName(run, 'wandb'), 'notes.txt']) writeFileSync(join(dir, f), '');
    expect(listSpools(dir, { exporter: 'mlflow' }).map((s) => s.file)).toEqual([name, later]);
  });

  it('a missing path is an error that names it', () => {
    expect(() => listSpools('/no/such/spool-dir')).toThrow('no spool file or directory at /no/such/spool-dir');
  });
});

describe('replaySpool', () => {
  it('sends every spool of the exporter into the run its header names, deleting each once accepted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-replay-'));
    await downTracker(dir, 0).close();
    await downTracker(dir, 100).close();
    const sinks: InMemoryExporter[] = [];
    const results = await replaySpool(dir, {
      exporter: 'remote',
      createExporter: () => {
        const e = new InMemoryExporter('remote');
        sinks.push(e);
        return e;
      },
      logger: createLogger({ level: 'silent' }),
    });
    expect(results.map((r) => [r.sent, r.error])).toEqual([
      [3, undefined],
      [3, undefined],
    ]);
    expect(sinks.map((s) => [s.run?.runName, s.scalars().map((p) => p.value), s.outcome?.status])).toEqual([
      ['mlp', [0, 1, 2], 'finished'],
      ['mlp', [100, 101, 102], 'finished'],
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a resumed run's spool replays as no restart: the exporter gets no resumeStep (TensorBoard would hide points)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-replay-resumed-'));
    const handle: RunHandle = { specificationVersion: 'v1', experiment: 'mnist', runName: 'mlp', step: 2, runIds: {} };
    await downTracker(dir, 0, handle).close();
    expect(readSpool(join(dir, readdirSync(dir)[0]!)).header.run.resumeStep).toBe(2);
    const sink = new InMemoryExporter('remote');
    const results = await replaySpool(dir, { exporter: 'remote', createExporter: () => sink, logger: createLogger({ level: 'silent' }) });
    expect(results.map((r) => r.sent)).toEqual([3]);
    expect(sink.run).toMatchObject({ runName: 'mlp' });
    expect(sink.run && 'resumeStep' in sink.run).toBe(false);
  });

  it('keeps a spool the backend did not accept, for another try', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-replay-fail-'));
    await downTracker(dir, 0).close();
    const results = await replaySpool(dir, {
      exporter: 'remote',
      createExporter: () => {
        const e = new InMemoryExporter('remote');
        e.failWith = () => ({ ok: false, retryable: true, error: new Error('still down') });
        return e;
      },
    });
    expect(results).toEqual([expect.objectContaining({ sent: 0, error: 'still down' })]);
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
