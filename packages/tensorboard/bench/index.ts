/**
 * Scalar events per second written to disk through the tracker (4 tags, simple_value scalars; the median of
 * three runs after a warm-up run), the same count written by tensorboardX 2.6.5 in the oracle venv (ratio),
 * the bare EventFileWriter hot path, and
 * CRC32C throughput; and with default options, 10 scalars a step, a loop that never yields beside one that
 * yields every 1 000 steps: throughput, caller ns/scalar, longest single log() call (medians of 3 runs).
 * Run: node --import tsx bench/index.ts   (BENCH_EVENTS, BENCH_PY_EVENTS, BENCH_NEVER_YIELD_EVENTS to change sizes)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@metrics/core';
import { loggingLoop, median, nsPerOp, report } from '@metrics/bench';
import { runPython } from '@metrics/oracle';
import { crc32c, createTensorBoardTracker, EventFileWriter, listRuns } from '../src/index.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const NEVER_YIELD_EVENTS = Number(process.env.BENCH_NEVER_YIELD_EVENTS ?? 1_000_000);
const PY_EVENTS = Number(process.env.BENCH_PY_EVENTS ?? 40_000);
const TAGS = ['training/loss', 'training/accuracy', 'training/learning_rate', 'performance/throughput'];
const PKG = '@metrics/tensorboard';

async function throughTracker(events: number): Promise<{ perSec: number; bytes: number }> {
  const logDir = mkdtempSync(join(tmpdir(), 'tb-bench-'));
  try {
    const tracker = createTensorBoardTracker({
      logDir,
      experiment: 'bench',
      runName: 'run',
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
      batch: { maxBatchSize: 10_000, maxQueueSize: 1_000_000 },
    });
    const steps = events / TAGS.length;
    const values: Record<string, number> = {};
    const t0 = process.hrtime.bigint();
    for (let step = 0; step < steps; step++) {
      for (let i = 0; i < TAGS.length; i++) values[TAGS[i]!] = Math.sin(step + i);
      tracker.log(values, { step });
      // Let the pipeline drain now and then, as a training loop's awaits would.
      if ((step & 0x3fff) === 0x3fff) await tracker.flush();
    }
    await tracker.close();
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const stats = tracker.stats();
    const ex = stats.exporters[0]!;
    if (ex.exported !== events || ex.dropped !== 0) throw new Error(`bench: exported ${ex.exported} of ${events} (dropped ${ex.dropped})`);
    const file = [...listRuns(logDir).values()][0]![0]!;
    return { perSec: events / secs, bytes: statSync(file).size };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

interface LoopFigures {
  perSec: number;
  callerNs: number;
  maxCallMs: number;
}

/**
 * DEFAULT options, 10 scalars a step. `yieldEvery` 0: the loop never awaits, so once the queue (200 000
 * records) is full the pipeline writes inline (exportSync); otherwise it awaits a macrotask every
 * `yieldEvery` steps, as a training loop's awaits would. Nothing may be dropped either way.
 */
async function defaultOptionsLoop(events: number, yieldEvery: number): Promise<LoopFigures> {
  const logDir = mkdtempSync(join(tmpdir(), 'tb-bench-'));
  try {
    const tracker = createTensorBoardTracker({
      logDir,
      experiment: 'bench',
      runName: yieldEvery ? 'yielding' : 'never-yield',
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
    });
    const t0 = process.hrtime.bigint();
    const { callerNs, maxCallMs } = await loggingLoop(tracker, events, yieldEvery);
    await tracker.close();
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const ex = tracker.stats().exporters[0]!;
    if (ex.exported !== events || ex.dropped !== 0) throw new Error(`bench: exported ${ex.exported} of ${events} (dropped ${ex.dropped})`);
    return { perSec: events / secs, callerNs, maxCallMs };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** Medians of three runs. */
async function medianOf3(run: () => Promise<LoopFigures>): Promise<LoopFigures> {
  const runs = [await run(), await run(), await run()];
  const m = (k: keyof LoopFigures) => median(runs.map((r) => r[k]));
  return { perSec: m('perSec'), callerNs: m('callerNs'), maxCallMs: m('maxCallMs') };
}

async function bareWriter(events: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-'));
  try {
    const w = new EventFileWriter(dir);
    await w.open();
    const wall = Date.now() / 1000;
    const t0 = process.hrtime.bigint();
    const steps = events / TAGS.length;
    for (let step = 0; step < steps; step++) {
      for (let i = 0; i < TAGS.length; i++) w.appendScalar(TAGS[i]!, step, wall, Math.sin(step + i));
      if ((step & 0x3fff) === 0x3fff) await w.flush();
    }
    await w.close();
    return events / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TENSORBOARDX = String.raw`
import sys, time, json, tempfile, math, shutil
from tensorboardX import SummaryWriter
n = int(sys.argv[1]); tags = sys.argv[2:]
d = tempfile.mkdtemp()
w = SummaryWriter(d, max_queue=10, flush_secs=30)
t0 = time.perf_counter()
for step in range(n // len(tags)):
    for i, t in enumerate(tags):
        w.add_scalar(t, math.sin(step + i), step)
w.close()
secs = time.perf_counter() - t0
shutil.rmtree(d)
print(json.dumps({"perSec": n / secs}))
`;

// A warm-up run first (the first run of a process still compiles the path), then the median of three runs.
await throughTracker(EVENTS / 4);
const runs = [await throughTracker(EVENTS), await throughTracker(EVENTS), await throughTracker(EVENTS)];
const ours = { perSec: median(runs.map((r) => r.perSec)), bytes: runs[0]!.bytes };
const peer = await runPython<{ perSec: number }>(TENSORBOARDX, { args: [String(PY_EVENTS), ...TAGS], timeoutMs: 30 * 60_000 });
report({
  package: PKG,
  name: `scalar events/s through tracker (${(EVENTS / 1e6).toFixed(1)} M, median of 3 after a warm-up)`,
  value: ours.perSec,
  unit: 'events/s',
  peer: 'tensorboardX 2.6.5',
  peerValue: peer.perSec,
  ratio: ours.perSec / peer.perSec,
});
report({ package: PKG, name: 'bytes per scalar event on disk', value: ours.bytes / EVENTS, unit: 'B' });
for (const [loop, yieldEvery] of [
  ['never-yielding', 0],
  ['yielding', 1000],
] as const) {
  const figures = await medianOf3(() => defaultOptionsLoop(NEVER_YIELD_EVENTS, yieldEvery));
  const name = `${loop} loop, default options (${(NEVER_YIELD_EVENTS / 1e6).toFixed(1)} M, 10/step, median of 3)`;
  report({ package: PKG, name: `scalar events/s, ${name}`, value: figures.perSec, unit: 'events/s' });
  report({ package: PKG, name: `log() caller cost, ${name}`, value: figures.callerNs, unit: 'ns/scalar' });
  report({ package: PKG, name: `longest single log() call, ${name}`, value: figures.maxCallMs, unit: 'ms' });
}
const bare = await bareWriter(EVENTS);
report({ package: PKG, name: 'scalar events/s, EventFileWriter.appendScalar', value: bare, unit: 'events/s' });

const MB = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
const ns = await nsPerOp(() => crc32c(MB), 1, 30);
report({ package: PKG, name: 'CRC32C throughput (1 MiB buffers)', value: (1 << 20) / 1e6 / (ns / 1e9), unit: 'MB/s' });
const small = MB.subarray(0, 64);
const nsSmall = await nsPerOp(
  () => {
    for (let i = 0; i < 10_000; i++) crc32c(small);
  },
  10_000,
  15,
);
report({ package: PKG, name: 'CRC32C throughput (64 B records)', value: 64 / 1e6 / (nsSmall / 1e9), unit: 'MB/s' });
