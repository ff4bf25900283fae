import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { useTempDirs } from '@metrics/core/test/vitest';
import { createLogger } from '@metrics/core';
import type { RunInfo, TrackingRecord } from '@metrics/core/backend';
import { createWandbExporter } from '../exporter.js';
import { itemsToObject, readWandbFile } from '../log/records.js';
import type { OfflineNative } from './offline-exporter.js';
import { historyItems, KeyTable } from '../number-text/index.js';
import { keyField } from '../proto/records.js';
import { LogSink, type RowsSegment } from './log-sink.js';
import { openWriterChannel } from './writer-channel.js';

const silent = createLogger({ level: 'silent' });
const here = dirname(fileURLToPath(import.meta.url));
const tempDir = useTempDirs('wandb-writer');

const START = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const run: RunInfo = { experiment: 'proj', runName: 'writer', tags: { team: 'a' }, startTime: START };
const longKey = `training/${'k'.repeat(120)}`;

/** 300 batches (more than the writer may have unanswered) of every kind of value, including awkward ones. */
function batches(): TrackingRecord[][] {
  const out: TrackingRecord[][] = [];
  for (let b = 0; b < 300; b++) {
    const batch: TrackingRecord[] = [];
    for (let step = b * 7; step < b * 7 + 7; step++) {
      const wallTime = START + step * 13;
      const scalar = (name: string, value: number): TrackingRecord => ({ kind: 'scalar', name, value, step, wallTime });
      batch.push(scalar('training/loss', Math.sin(step) * 1e3 + step / 7), scalar('training/ünï', 1 / (step + 3)), scalar(longKey, step * 0.1));
      if (step % 5 === 0) batch.push(scalar('training/odd', [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e-300][step % 4]!));
      if (step % 11 === 0) batch.push({ kind: 'text', name: 'eval/sample', text: `step ${step} "quoted"`, step, wallTime });
      if (step % 17 === 0) batch.push({ kind: 'histogram', name: 'weights/w', values: Float64Array.of(step, 1, 2, 3), step, wallTime });
      if (step % 19 === 0) batch.push(scalar('system/cpu', step % 100));
    }
    // a validation point at an earlier step: a new row, never dropped
    if (b % 10 === 9) batch.push({ kind: 'scalar', name: 'validation/acc', value: b / 300, step: b, wallTime: START + b * 7 * 13 });
    if (b === 0) batch.push({ kind: 'config', config: { lr: 0.001, layers: [64, 32] }, wallTime: START });
    if (b === 150) batch.push({ kind: 'summary', values: { best: 0.5 }, wallTime: START });
    out.push(batch);
  }
  return out;
}

async function writeRun(writer: 'thread' | 'inline', prepared: TrackingRecord[][]) {
  const dir = tempDir();
  const e = createWandbExporter({ mode: 'offline', dir, runId: 'same0001', logger: silent, env: {}, offlineWriter: writer });
  expect((await e.start(run)).ok).toBe(true);
  for (const b of prepared) expect(await e.export(b)).toEqual({ ok: true });
  await e.forceFlush();
  const native = e.native() as OfflineNative;
  await e.shutdown({ status: 'finished' });
  return { file: native.wandbFile!, writer: native.writer };
}

describe('the offline writer thread', () => {
  it('writes the same bytes as the inline writer, for every kind of record', async () => {
    const prepared = batches();
    // The final summary and the exit record carry the runtime at finish (from the clock): one fixed clock
    // for both runs, so a second boundary between them cannot tell them apart.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(START + 3_600_000);
    let thread: Awaited<ReturnType<typeof writeRun>>;
    let inline: Awaited<ReturnType<typeof writeRun>>;
    try {
      thread = await writeRun('thread', prepared);
      inline = await writeRun('inline', prepared);
    } finally {
      vi.useRealTimers();
    }
    expect(thread.writer).toBe('thread');
    expect(inline.writer).toBe('inline');
    const a = readFileSync(thread.file);
    const b = readFileSync(inline.file);
    expect(a.equals(b)).toBe(true);
    const log = readWandbFile(thread.file);
    expect(log.headerOk).toBe(true);
    const rows = log.records.filter((r) => r.type === 'history').map((r) => itemsToObject(r.data.item));
    expect(rows.map((r) => r._step)).toEqual([...rows.keys()]);
    expect(rows.filter((r) => 'validation/acc' in r)).toHaveLength(30);
    expect(log.records.at(-2)?.type).toBe('exit');
  }, 60_000);

  it('writes the same history bytes whoever encodes the items (sender, writer) and by the value-by-value path', () => {
    const keys = ['a', 'training/ünï', longKey, 'x'.repeat(300), 'e'];
    type Path = 'sender' | 'writer' | 'by value';
    /** The file a sink writes for two rows of five numbers, the items encoded by `path`. */
    const write = (values: readonly number[], path: Path): Buffer => {
      const file = join(tempDir(), `${path}.wandb`);
      const sink = new LogSink({ file, fileOffset: 0, stepMetric: 'global_step' });
      const segment: RowsSegment = {
        firstNum: 1,
        rows: Float64Array.of(0, 0, 5, START, 5, 1, 1, 1005, START + 1000, 5),
        keyIds: Int32Array.of(0, 1, 2, 3, 4, 0, 1, 2, 3, 4),
        numbers: Float64Array.from(values),
      };
      if (path === 'sender') {
        const table = new KeyTable();
        for (const k of keys) table.add(keyField(k));
        const items = historyItems(values, segment.keyIds, table)!;
        segment.items = items.bytes.slice();
        segment.itemEnds = items.ends.slice();
      }
      // texts (all null here) make the writer encode value by value, as it does for rows with media or text
      if (path === 'by value') segment.texts = new Array<null>(10).fill(null);
      sink.handle({ seq: 1, keys, segments: [segment], finish: true });
      return readFileSync(file);
    };
    const values = [0.1, -2, Number.NaN, 1e-300, 123456.789, Number.POSITIVE_INFINITY, -0, 5e-324, 1 / 3, Number.NEGATIVE_INFINITY];
    const byValue = write(values, 'by value');
    expect(write(values, 'writer').equals(byValue)).toBe(true);
    expect(write(values, 'sender').equals(byValue)).toBe(true);
    const rows = readWandbFile(byValue)
      .records.filter((r) => r.type === 'history')
      .map((r) => itemsToObject(r.data.item));
    expect(rows.map((row) => keys.map((k) => row[k]))).toEqual([values.slice(0, 5), [Number.POSITIVE_INFINITY, 0, 5e-324, 1 / 3, Number.NEGATIVE_INFINITY]]);
    fc.assert(
      fc.property(fc.array(fc.double(), { minLength: 10, maxLength: 10 }), (random) => {
        const expected = write(random, 'by value');
        return write(random, 'writer').equals(expected) && write(random, 'sender').equals(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the runs of one process apart: interleaved batches of three runs land in their own files', async () => {
    const prepared = batches().slice(0, 60);
    const dirs = [tempDir(), tempDir(), tempDir()];
    const exporters = dirs.map((dir, i) => createWandbExporter({ mode: 'offline', dir, runId: `multi${i}`, logger: silent, env: {} }));
    for (const e of exporters) await e.start(run);
    // batch b goes to run b % 3, all three in flight on the one writer thread
    await Promise.all(prepared.map((b, n) => exporters[n % 3]!.export(b)));
    for (const e of exporters) await e.shutdown({ status: 'finished' });
    for (let i = 0; i < 3; i++) {
      const native = exporters[i]!.native() as OfflineNative;
      expect(native.writer).toBe('thread');
      const rows = readWandbFile(native.wandbFile!)
        .records.filter((r) => r.type === 'history')
        .map((r) => itemsToObject(r.data.item));
      const expected = prepared.filter((_, n) => n % 3 === i).flatMap((b) => b.filter((r) => r.kind === 'scalar' && r.name === 'training/loss'));
      expect(rows.filter((r) => 'training/loss' in r).map((r) => r['training/loss'])).toEqual(expected.map((r) => (r.kind === 'scalar' ? r.value : 0)));
      expect(rows.map((r) => r._step)).toEqual([...rows.keys()]);
    }
  });

  it('falls back to writing on the calling thread when the thread cannot start, losing nothing', async () => {
    const dir = tempDir();
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, "throw new Error('this writer thread cannot start');\n");
    const file = join(dir, 'log.bin');
    writeFileSync(file, '');
    const channel = openWriterChannel('thread', { file, fileOffset: 0, stepMetric: 'global_step' }, broken);
    const record = Uint8Array.of(0x08, 0x01);
    channel.send({ seq: 1, segments: [record] });
    // the thread's start fails after this send: the message waits, then is written here
    await channel.send({ seq: 2, segments: [record], flush: true });
    expect(channel.kind).toBe('inline');
    await channel.send({ seq: 3, segments: [record], finish: true });
    // the file header, then three records, each one full chunk: 7-byte chunk header + 2 payload bytes
    expect(readFileSync(file)).toHaveLength(7 + 3 * 9);
    expect(channel.failure).toBeUndefined();
  });

  it('lets messages wait for a thread that is still starting, up to 64 MiB, then says "not now"; none is lost', async () => {
    const dir = tempDir();
    // A thread that runs for a second but never listens, then ends: "starting" until it is gone.
    const slow = join(dir, 'slow-worker.mjs');
    writeFileSync(slow, 'setTimeout(() => {}, 1000);\n');
    const file = join(dir, 'log.bin');
    writeFileSync(file, '');
    const channel = openWriterChannel('thread', { file, fileOffset: 0, stepMetric: 'global_step' }, slow);
    const rooms: boolean[] = [];
    for (let seq = 1; seq <= 9; seq++) {
      rooms.push(channel.waitForRoom(0));
      if (rooms.at(-1)) channel.send({ seq, segments: [new Uint8Array(8 << 20)] });
    }
    // eight messages of 8 MiB wait; the ninth is refused (the pipeline keeps those records meanwhile)
    expect(rooms).toEqual([true, true, true, true, true, true, true, true, false]);
    expect(channel.kind).toBe('thread');
    // The thread ends without having listened: the waiting messages are written on this thread.
    await channel.send({ seq: 10, segments: [Uint8Array.of(0x08, 0x01)], finish: true });
    expect(channel.kind).toBe('inline');
    expect(readFileSync(file).length).toBeGreaterThan(64 * 1024 * 1024);
  });

  it('reports a disk error of a timed write with the next message, and still closes the file at finish', async () => {
    // /dev/full takes the open and fails every write with ENOSPC
    const sink = new LogSink({ file: '/dev/full', fileOffset: 0, stepMetric: 'global_step' });
    sink.handle({ seq: 1, segments: [Uint8Array.of(0x08, 0x01)] }); // pending: written within 200 ms
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(() => sink.handle({ seq: 2, finish: true })).toThrow(/ENOSPC/);
    expect(sink.isClosed).toBe(true);
    expect(() =>
      new LogSink({ file: '/dev/full', fileOffset: 0, stepMetric: 'global_step' }).handle({ seq: 1, segments: [Uint8Array.of(1)], flush: true }),
    ).toThrow(/ENOSPC/);
  });

  it('reports a write that fails on the thread: the next export fails, nothing throws into the caller', async () => {
    const dir = tempDir();
    const e = createWandbExporter({ mode: 'offline', dir, logger: silent, env: {} });
    await e.start(run);
    const { wandbFile } = e.native() as OfflineNative;
    // the thread opens the log with the first batch: make that fail (EISDIR)
    rmSync(wandbFile!);
    mkdirSync(wandbFile!);
    const batch: TrackingRecord[] = [{ kind: 'scalar', name: 'training/loss', value: 1, step: 0, wallTime: START }];
    await e.export(batch);
    await expect(e.forceFlush()).resolves.toBeUndefined(); // reported once on the logger, never thrown
    const result = await e.export(batch);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error.message).toMatch(/EISDIR|illegal operation on a directory/);
    await e.shutdown({ status: 'finished' });
  });
});

describe('a program that ends without close()', () => {
  // --jitless: no WebAssembly, so the numbers' text comes from JSON.stringify (the fallback path)
  for (const [writer, flags] of [
    ['thread', []],
    ['inline', []],
    ['thread', ['--jitless']],
  ] as const)
    it(`exits by itself and leaves a finished run (${writer} writer${flags.length ? `, ${flags.join(' ')}` : ''})`, async () => {
      const dir = tempDir();
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [...flags, '--import', 'tsx', join(here, 'fixtures', 'forgot-close.ts'), dir, 'noclose1', writer], {
          cwd: join(here, '..', '..'),
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        // A writer that kept the process alive would hang here: kill it and fail.
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('error', reject);
        child.on('close', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect(code).toBe(0);
      const runDir = join(dir, 'wandb', readdirSync(join(dir, 'wandb')).find((n) => n.startsWith('offline-run-'))!);
      const log = readWandbFile(join(runDir, 'run-noclose1.wandb'));
      const rows = log.records.filter((r) => r.type === 'history').map((r) => itemsToObject(r.data.item));
      expect(rows.map((r) => r.global_step)).toEqual([...Array(3000).keys()]);
      expect(rows.map((r) => [r['training/loss'], r['training/acc']])).toEqual([...Array(3000).keys()].map((step) => [step, step / 3000]));
      expect(log.records.slice(-2).map((r) => r.type)).toEqual(['exit', 'final']);
    }, 60_000);
});
