/**
 * Opens trackers on temp dirs (the facade with TensorBoard + W&B offline + MLflow spool + an in-memory
 * tracker, or one standalone backend), and checks afterwards that the counters add up and that what was
 * accepted is really in the files.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createLogger, createTracker, MAX_STEP, type ExporterStats, type Logger, type PipelineStats, type Tracker, type ValidationPolicy } from '@metrics/core';
import { readSpool, type TrackingRecord } from '@metrics/core/backend';
import { InMemoryExporter } from '@metrics/core/test';
import { createExperimentTracker, type ExperimentTracker } from '@metrics/unified';
import { createTensorBoardTracker, listRuns, readEventFile } from '@metrics/tensorboard';
import { createWandbTracker, itemsToObject, readWandbFile } from '@metrics/wandb';
import { createMlflowTracker } from '@metrics/mlflow';
import type { Call } from './security-inputs.js';

export function tempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rel-${prefix}-`));
}

export function removeTree(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Every file under `dir` (recursively; symlinks listed, not followed). */
export function walkFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? walkFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A logger that keeps every line (capped) so tests can look at them. */
export function collectingLogger(level: 'debug' | 'warn' = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, sink: (_l, line) => void (lines.length < 20_000 && lines.push(line)) });
  return { logger, lines };
}

export interface FacadeUnderTest {
  tracker: ExperimentTracker;
  memory: InMemoryExporter;
  root: string;
  dirs: { tensorboard: string; wandb: string; spool: string };
  lines: string[];
}

/** The facade with all four trackers, everything under one temp root, no network and no env leaks in. */
export async function openFacade(validation: ValidationPolicy, root: string): Promise<FacadeUnderTest> {
  const dirs = { tensorboard: join(root, 'tb'), wandb: join(root, 'wb'), spool: join(root, 'spool') };
  const memory = new InMemoryExporter('memory');
  const { logger, lines } = collectingLogger();
  const tracker = await createExperimentTracker({
    experiment: 'fuzz',
    runName: 'run',
    tensorboardLogging: true,
    tensorboardLogDir: dirs.tensorboard,
    wandbLogging: true,
    wandbMode: 'offline',
    wandbDir: dirs.wandb,
    mlflowLogging: true,
    mlflowSpoolDir: dirs.spool,
    validation,
    // Each call's records are counted as it returns; interval aggregation has its own tests (core, unified).
    experimentLoggingInterval: 1,
    closeTimeoutMs: 20_000,
    trackers: [memory],
    logger,
    env: {},
    backendOptions: { wandb: { env: {} }, mlflow: { env: {} }, tensorboard: { flushIntervalMs: 60_000 } },
  });
  return { tracker, memory, root, dirs, lines };
}

const byKind = (records: readonly TrackingRecord[]) => {
  const n: Record<string, number> = {};
  for (const r of records) n[r.kind] = (n[r.kind] ?? 0) + 1;
  return n;
};

function lane(stats: PipelineStats, name: string): ExporterStats {
  const l = stats.exporters.find((e) => e.name === name);
  if (!l) throw new Error(`no exporter ${name} in stats`);
  return l;
}

/** What TensorBoard has on disk: scalar, text, image and histogram values over all event files. */
export function tensorBoardCounts(logDir: string): Record<string, number> & { errors: number } {
  const n: Record<string, number> & { errors: number } = { errors: 0 };
  for (const files of listRuns(logDir).values())
    for (const f of files) {
      const c = readEventFile(f);
      n.errors += c.errors.length;
      for (const ev of c.events) for (const v of ev.values) n[v.kind] = (n[v.kind] ?? 0) + 1;
    }
  return n;
}

/**
 * Texts TensorBoard shows as texts: a tag has one plugin, set by its first image or text, so a text under a
 * tag first used by an image is not a text there (warn mode keeps invalid names under `custom/…`, so two
 * nasty names can meet on one tag).
 */
export function tensorBoardTextsOf(records: readonly TrackingRecord[]): number {
  const firstKind = new Map<string, string>();
  let texts = 0;
  for (const r of records) {
    if (r.kind !== 'image' && r.kind !== 'text') continue;
    if (!firstKind.has(r.name)) firstKind.set(r.name, r.kind);
    if (r.kind === 'text' && firstKind.get(r.name) === 'text') texts++;
  }
  return texts;
}

const W_RESERVED = new Set(['_step', '_runtime', '_timestamp', 'global_step']);

/** What the W&B offline runs under `dir` hold: history values (not the bookkeeping columns) and system stats. */
export function wandbCounts(dir: string): { history: number; stats: number; damage: number; files: number } {
  const out = { history: 0, stats: 0, damage: 0, files: 0 };
  for (const f of walkFiles(dir).filter((p) => p.endsWith('.wandb'))) {
    out.files++;
    const c = readWandbFile(f);
    out.damage += c.damage.length;
    for (const r of c.records) {
      if (r.type === 'history') out.history += Object.keys(itemsToObject(r.data.item)).filter((k) => !W_RESERVED.has(k)).length;
      if (r.type === 'stats') out.stats += Array.isArray(r.data.item) ? r.data.item.length : 0;
    }
  }
  return out;
}

export interface AfterClose {
  stats: PipelineStats;
  kinds: Record<string, number>;
  tensorboard: Record<string, number>;
  wandb: ReturnType<typeof wandbCounts>;
  spooled: number;
}

/**
 * After close(): each lane accounts for every accepted record; the in-memory tracker got them all; the
 * TensorBoard and W&B files hold every accepted scalar, text and image; the MLflow spool holds what it
 * counted as spilled.
 */
export function checkAfterClose(f: FacadeUnderTest): AfterClose {
  const stats = f.tracker.stats();
  const accepted = stats.accepted;
  const mem = lane(stats, 'memory');
  expect(mem, 'in-memory lane').toMatchObject({ exported: accepted, failed: 0, dropped: 0, queued: 0, unsupported: 0 });
  expect(f.memory.records.length).toBe(accepted);
  const artifacts = f.memory.records.filter((r) => r.kind === 'artifact').length;
  for (const name of ['tensorboard', 'wandb']) {
    const l = lane(stats, name);
    expect(l.exported + l.failed + l.unsupported + l.dropped, `${name} lane adds up`).toBe(accepted);
    // W&B reads an artifact's files: the fuzzer's paths never exist, so each is skipped there and counted failed.
    const failed = name === 'wandb' ? artifacts : 0;
    expect({ name, failed: l.failed, dropped: l.dropped, queued: l.queued, lastError: l.lastError !== undefined }, `${name} lost records`).toEqual({
      name,
      failed,
      dropped: 0,
      queued: 0,
      lastError: failed > 0,
    });
  }
  const ml = lane(stats, 'mlflow');
  expect(ml.spilled + ml.unsupported, 'mlflow lane: everything it supports is spooled').toBe(accepted);
  expect(ml.exported).toBe(0);
  let spooled = 0;
  for (const file of walkFiles(f.dirs.spool)) spooled += readSpool(file).records.length;
  expect(spooled, 'spool holds what was counted as spilled').toBe(ml.spilled);

  const kinds = byKind(f.memory.records);
  const tb = tensorBoardCounts(f.dirs.tensorboard);
  expect(tb.errors, 'TensorBoard files read back cleanly').toBe(0);
  expect(tb.scalar ?? 0, 'every accepted scalar is in the TensorBoard file').toBe(kinds.scalar ?? 0);
  expect(tb.text ?? 0, 'texts + configs + summaries in TensorBoard').toBe(tensorBoardTextsOf(f.memory.records) + (kinds.config ?? 0) + (kinds.summary ?? 0));
  expect(tb.image ?? 0, 'every accepted image is in TensorBoard').toBe(kinds.image ?? 0);
  const wb = wandbCounts(f.dirs.wandb);
  expect(wb.damage, 'W&B file reads back cleanly').toBe(0);
  expect(wb.history + wb.stats, 'every accepted scalar/histogram/image/text is in the W&B run').toBe(
    (kinds.scalar ?? 0) + (kinds.histogram ?? 0) + (kinds.image ?? 0) + (kinds.text ?? 0),
  );
  return { stats, kinds, tensorboard: tb, wandb: wb, spooled };
}

export type StandaloneKind = 'core' | 'tensorboard' | 'wandb' | 'mlflow';

export interface StandaloneUnderTest {
  kind: StandaloneKind;
  tracker: Tracker;
  /** The in-memory exporter next to the backend (core and TensorBoard trackers take extra exporters). */
  memory?: InMemoryExporter;
  dir: string;
  lines: string[];
  /** Accepted records by kind, kept by `countAccepted` from the stats deltas of each call. */
  accepted: Record<string, number>;
}

/** One backend's own tracker (`createTensorBoardTracker`, `createWandbTracker` offline, `createMlflowTracker` without a server, core + memory). */
export function openStandalone(kind: StandaloneKind, validation: ValidationPolicy, root: string): StandaloneUnderTest {
  const { logger, lines } = collectingLogger();
  const common = { experiment: 'fuzz', runName: 'run', handleExit: false, logger, validation, closeTimeoutMs: 20_000 } as const;
  const dir = join(root, kind);
  let tracker: Tracker;
  let memory: InMemoryExporter | undefined;
  switch (kind) {
    case 'core':
      memory = new InMemoryExporter('memory');
      tracker = createTracker({ ...common, exporters: [memory] });
      break;
    case 'tensorboard':
      memory = new InMemoryExporter('memory');
      tracker = createTensorBoardTracker({ ...common, logDir: dir, flushIntervalMs: 60_000, exporters: [memory] });
      break;
    case 'wandb':
      tracker = createWandbTracker({ ...common, mode: 'offline', dir, env: {} });
      break;
    case 'mlflow':
      tracker = createMlflowTracker({ ...common, spillDir: dir, env: {} });
      break;
  }
  return { kind, tracker, memory, dir, lines, accepted: {} };
}

const KIND_OF: Partial<Record<Call['m'], string>> = {
  logHistogram: 'histogram',
  logImage: 'image',
  logText: 'text',
  logConfig: 'config',
  logHyperparams: 'hparams',
  setSummary: 'summary',
  logArtifact: 'artifact',
};

/** Adds what a call got accepted (its stats delta) to the per-kind tally. */
export function countAccepted(tally: Record<string, number>, call: Call, acceptedDelta: number): void {
  const kind = KIND_OF[call.m] ?? 'scalar';
  if (acceptedDelta > 0) tally[kind] = (tally[kind] ?? 0) + acceptedDelta;
}

/** After close(): the lanes add up, nothing was lost, and the backend's files hold what was accepted. */
export function checkStandaloneAfterClose(s: StandaloneUnderTest): { stats: PipelineStats; stored: number } {
  const stats = s.tracker.stats();
  const accepted = stats.accepted;
  const k = (name: string) => s.accepted[name] ?? 0;
  expect(
    Object.values(s.accepted).reduce((a, b) => a + b, 0),
    'tally matches stats.accepted',
  ).toBe(accepted);
  if (s.memory) {
    expect(lane(stats, 'memory')).toMatchObject({ exported: accepted, failed: 0, dropped: 0, queued: 0 });
    // The spec: canonical steps are integers in 0 … 2^53−1, whatever the caller did.
    const badSteps = s.memory.records
      .filter((r) => 'step' in r && !(Number.isInteger(r.step) && r.step >= 0 && r.step <= MAX_STEP))
      .map((r) => (r as { step: number }).step);
    expect(badSteps, 'every accepted record has a step in 0 … 2^53−1').toEqual([]);
  }
  let stored = 0;
  if (s.kind === 'tensorboard' || s.kind === 'wandb') {
    const l = lane(stats, s.kind);
    expect(l.exported + l.failed + l.unsupported + l.dropped, `${s.kind} lane adds up`).toBe(accepted);
    // W&B reads an artifact's files: the fuzzer's paths never exist, so each is skipped there and counted failed.
    const failed = s.kind === 'wandb' ? k('artifact') : 0;
    expect({ failed: l.failed, dropped: l.dropped, queued: l.queued, lastError: l.lastError !== undefined }, `${s.kind} lost records`).toEqual({
      failed,
      dropped: 0,
      queued: 0,
      lastError: failed > 0,
    });
  }
  if (s.kind === 'tensorboard') {
    const tb = tensorBoardCounts(s.dir);
    expect(tb.errors).toBe(0);
    expect(tb.scalar ?? 0, 'scalars in the event file').toBe(k('scalar'));
    expect(tb.text ?? 0, 'texts + configs + summaries in the event file').toBe(tensorBoardTextsOf(s.memory!.records) + k('config') + k('summary'));
    expect(tb.image ?? 0, 'images in the event file').toBe(k('image'));
    stored = (tb.scalar ?? 0) + (tb.text ?? 0) + (tb.image ?? 0) + (tb.histogram ?? 0);
  }
  if (s.kind === 'wandb') {
    const wb = wandbCounts(s.dir);
    expect(wb.damage).toBe(0);
    expect(wb.history + wb.stats, 'values in the .wandb history/stats').toBe(k('scalar') + k('histogram') + k('image') + k('text'));
    stored = wb.history + wb.stats;
  }
  if (s.kind === 'mlflow') {
    const l = lane(stats, 'mlflow');
    expect(l.spilled + l.unsupported, 'mlflow: every supported record is spooled').toBe(accepted);
    for (const file of walkFiles(s.dir)) stored += readSpool(file).records.length;
    expect(stored, 'spool holds what was counted as spilled').toBe(l.spilled);
  }
  return { stats, stored };
}
