import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '@metrics/core';
import type { RunInfo } from '@metrics/core/backend';
import { runExporterConformance, useTempDirs } from '@metrics/core/test/vitest';
import { createTensorBoardExporter } from './exporter.js';
import { createTensorBoardTracker } from './tracker.js';
import { listRuns, readEventFile } from './reader/index.js';

const tempDir = useTempDirs('tb-exp');
const silent = () => createLogger({ level: 'silent' });
const run = (over: Partial<RunInfo> = {}): RunInfo => ({ experiment: 'exp', runName: 'r1', tags: {}, startTime: Date.now(), ...over });

function scalarsIn(logDir: string) {
  const out: { run: string; name: string; value: number; step: number }[] = [];
  for (const [r, files] of listRuns(logDir))
    for (const f of files)
      for (const ev of readEventFile(f).events)
        for (const v of ev.values) if (v.kind === 'scalar') out.push({ run: r, name: v.tag, value: v.value, step: ev.step });
  return out;
}

runExporterConformance('tensorboard', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'tb-conf-'));
  return {
    exporter: createTensorBoardExporter({ logDir, logger: silent() }),
    readScalars: async () => scalarsIn(logDir),
    cleanup: async () => rmSync(logDir, { recursive: true, force: true }),
  };
});

describe('TensorBoard exporter', () => {
  it('writes runs/<experiment>/<run> under logDir, one file starting with file_version, and returns it as runIds', async () => {
    const logDir = tempDir();
    const ex = createTensorBoardExporter({ logDir, logger: silent() });
    await ex.start(run());
    await ex.export([{ kind: 'scalar', name: 'training/loss', value: 1, step: 0, wallTime: Number.NaN }]);
    await ex.shutdown({ status: 'finished' });
    const runDir = join(logDir, 'exp', 'r1');
    expect(ex.runIds()).toEqual({ logDir: resolve(runDir) });
    const files = readdirSync(runDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^events\.out\.tfevents\.\d{10}\.[^/]+\.\d+\.0$/);
    const { events } = readEventFile(join(runDir, files[0]!));
    expect(events[0]!.fileVersion).toBe('brain.Event:2');
    // A NaN wall time is never written (it makes the Rust loader drop the rest of the file).
    for (const e of events) expect(Number.isFinite(e.wallTime)).toBe(true);
  });

  it('resume appends a new file (counter bumped on a name collision) in the same run dir', async () => {
    const logDir = tempDir();
    const startTime = Date.now();
    const a = createTensorBoardExporter({ logDir, logger: silent() });
    await a.start(run({ startTime }));
    await a.export([{ kind: 'scalar', name: 'training/loss', value: 1, step: 0, wallTime: startTime }]);
    await a.shutdown({ status: 'finished' });
    const b = createTensorBoardExporter({ logDir: join(logDir, 'elsewhere'), logger: silent() });
    await b.start(run({ startTime, runName: 'other', resume: a.runIds() }));
    await b.export([{ kind: 'scalar', name: 'training/loss', value: 2, step: 1, wallTime: startTime }]);
    await b.shutdown({ status: 'finished' });
    expect(b.runIds()).toEqual(a.runIds());
    const files = readdirSync(a.runIds().logDir!).sort();
    expect(files).toHaveLength(2);
    expect(files[1]).toMatch(/\.1$/);
    expect(scalarsIn(logDir).map((s) => [s.step, s.value])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('keeps experiment and run names inside logDir (.., absolute paths, separators, NUL, long unicode, Windows names)', async () => {
    const logDir = tempDir();
    for (const [experiment, runName] of [
      ['..', '..'],
      ['../../etc', '/abs/path'],
      ['a/b\\c', 'x\0y'],
      ['', '.'],
      // 200 emoji are 800 UTF-8 bytes: cut to a name the file system takes (255 bytes at most)
      ['😀'.repeat(200), 'con'],
    ]) {
      const ex = createTensorBoardExporter({ logDir, logger: silent() });
      expect(await ex.start(run({ experiment: experiment!, runName: runName! }))).toEqual({ ok: true });
      await ex.shutdown({ status: 'finished' });
      const rel = relative(logDir, ex.runIds().logDir!);
      const segments = rel.split(/[/\\]/);
      expect(segments).toHaveLength(2);
      for (const s of segments) expect(s.startsWith('.') || s.includes('\0')).toBe(false);
    }
  });

  it('never writes credentials from config, hparams, text or summary into the file or the log', async () => {
    const logDir = tempDir();
    const secret = 'sk-test-SECRET-0123456789';
    const saved = process.env.WANDB_API_KEY;
    process.env.WANDB_API_KEY = secret;
    const lines: string[] = [];
    try {
      const tracker = createTensorBoardTracker({
        logDir,
        experiment: 'exp',
        runName: 's',
        handleExit: false,
        logger: createLogger({ sink: (_l, line) => lines.push(line) }),
      });
      tracker.logConfig({ api_key: secret, nested: { token: secret, ok: 1 }, note: `key is ${secret}` });
      tracker.logHyperparams({ password: secret, lr: 0.1 });
      tracker.logText('custom/note', `my key ${secret}`);
      tracker.setSummary({ 'custom/secret_token': secret });
      tracker.log({ 'training/loss': 1 });
      await tracker.close();
    } finally {
      if (saved === undefined) delete process.env.WANDB_API_KEY;
      else process.env.WANDB_API_KEY = saved;
    }
    const [, files] = [...listRuns(logDir)][0]!;
    const bytes = readFileSync(files[0]!).toString('latin1');
    expect(bytes).toContain('training/loss');
    expect(bytes).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it("step policy 'keep' writes repeated steps and warns once; 'drop' leaves them out", async () => {
    for (const policy of ['keep', 'drop'] as const) {
      const logDir = tempDir();
      const lines: string[] = [];
      const ex = createTensorBoardExporter({ logDir, stepPolicy: policy, logger: createLogger({ sink: (_l, line) => lines.push(line) }) });
      await ex.start(run());
      const t = Date.now();
      await ex.export([5, 6, 6, 3].map((step, i) => ({ kind: 'scalar' as const, name: 'training/loss', value: i, step, wallTime: t })));
      await ex.export([
        { kind: 'text', name: 'custom/t', text: 'a', step: 2, wallTime: t },
        { kind: 'text', name: 'custom/t', text: 'b', step: 2, wallTime: t },
      ]);
      await ex.shutdown({ status: 'finished' });
      const steps = scalarsIn(logDir).map((s) => s.step);
      expect(steps).toEqual(policy === 'keep' ? [5, 6, 6, 3] : [5, 6]);
      expect(lines.filter((l) => l.includes('"training/loss"'))).toHaveLength(1);
    }
  });

  it('flushes after maxQueue batches, and on the interval timer', async () => {
    const logDir = tempDir();
    const ex = createTensorBoardExporter({ logDir, maxQueue: 2, flushIntervalMs: 3_600_000, logger: silent() });
    await ex.start(run());
    const file = () => readEventFile(listRuns(logDir).values().next().value![0]!).events.length;
    const t = Date.now();
    await ex.export([{ kind: 'scalar', name: 'training/loss', value: 1, step: 0, wallTime: t }]);
    expect(file()).toBe(1); // only the version event on disk
    await ex.export([{ kind: 'scalar', name: 'training/loss', value: 1, step: 1, wallTime: t }]);
    // The second batch triggers the flush; its write runs in the background (the timer is an hour away).
    await vi.waitFor(() => expect(file()).toBe(3), { timeout: 5000 });
    await ex.shutdown({ status: 'finished' });
  });

  it('skips an empty histogram with a warning instead of writing an unreadable one', async () => {
    const logDir = tempDir();
    const lines: string[] = [];
    const ex = createTensorBoardExporter({ logDir, logger: createLogger({ sink: (_l, line) => lines.push(line) }) });
    await ex.start(run());
    const r = await ex.export([{ kind: 'histogram', name: 'model/w', values: [Number.NaN], step: 0, wallTime: Date.now() }]);
    expect(r).toEqual({ ok: true });
    await ex.shutdown({ status: 'finished' });
    expect(lines.some((l) => l.includes('model/w'))).toBe(true);
  });
});

describe('hparams experiment option', () => {
  it('writes _hparams_/experiment with hparam types and the linked metrics when asked', async () => {
    const logDir = tempDir();
    const ex = createTensorBoardExporter({ logDir, hparamsExperiment: true, logger: silent() });
    await ex.start(run());
    await ex.export([{ kind: 'hparams', wallTime: Date.now(), params: { lr: 0.1, opt: 'sgd', bn: true }, metrics: ['validation/accuracy'] }]);
    await ex.shutdown({ status: 'failed' });
    const [, files] = [...listRuns(logDir)][0]!;
    const hp = readEventFile(files[0]!)
      .events.flatMap((e) => e.values)
      .filter((v) => v.kind === 'hparams');
    expect(hp.map((v) => (v.kind === 'hparams' ? v.content : undefined))).toEqual([
      {
        kind: 'experiment',
        hparams: [
          { name: 'lr', type: 3 },
          { name: 'opt', type: 1 },
          { name: 'bn', type: 2 },
        ],
        metrics: [{ group: '', tag: 'validation/accuracy' }],
      },
      expect.objectContaining({ kind: 'session_start', hparams: { lr: 0.1, opt: 'sgd', bn: true } }),
      expect.objectContaining({ kind: 'session_end', status: 2 }),
    ]);
  });
});
