// Caller-side cost of log() through the facade (10 scalars a call), with no backend (pipeline only) and with
// TensorBoard + MLflow (real server from the oracle harness) + W&B offline; and resident-memory growth while
// 10 million scalars go through all three; and a loop that never yields through all three, with default
// options and with interval 1: caller ns/scalar and the longest single log() call.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, neverYieldLoop, report } from '@metrics/bench';
import { startMlflowServer, allBackendsOptions } from '@metrics/oracle';
import { InMemoryExporter } from '@metrics/core/test';
import { createExperimentTracker, type ExperimentTracker } from '../src/index.js';

const names = Array.from({ length: 10 }, (_, i) => `training/metric_${i}`);
const values: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));

async function callerCost(tracker: ExperimentTracker, calls: number): Promise<number> {
  const samples: number[] = [];
  let step = tracker.step;
  for (let round = 0; round < 12; round++) {
    let spent = 0n;
    for (let chunk = 0; chunk < calls / 1000; chunk++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 1000; i++) {
        values[names[i % 10]!] = i;
        tracker.log(values, { step: step++ });
      }
      spent += process.hrtime.bigint() - t0;
      await new Promise((r) => setImmediate(r)); // the training loop yields; the pipeline works meanwhile
    }
    samples.push(Number(spent) / (calls * 10));
  }
  return median(samples.slice(2));
}

const dir = mkdtempSync(join(tmpdir(), 'unified-bench-'));
const quiet = { logLevel: 'silent' as const, env: {} };

{
  const memory = new InMemoryExporter();
  memory.keep = false;
  const tracker = await createExperimentTracker({ ...quiet, tensorboardLogging: false, mlflowLogging: false, wandbLogging: false, trackers: [memory] });
  const ns = await callerCost(tracker, 20_000);
  await tracker.close();
  report({ package: '@metrics/unified', name: 'log() caller cost, pipeline only', value: ns, unit: 'ns/scalar' });
}

const server = await startMlflowServer();
const allThree = (name: string, extra: { experimentLoggingInterval?: number } = {}) =>
  createExperimentTracker({
    ...quiet,
    ...extra,
    experiment: 'unified-bench',
    runName: name,
    ...allBackendsOptions(dir, server.url),
  });
try {
  {
    const tracker = await allThree('caller-cost');
    const ns = await callerCost(tracker, 20_000);
    await tracker.close(undefined, { timeoutMs: 30_000 });
    report({ package: '@metrics/unified', name: 'log() caller cost, TensorBoard + MLflow + W&B', value: ns, unit: 'ns/scalar' });
  }

  // Never yields: each backend's queue (200 000 records) fills; TensorBoard and W&B offline then write inline
  // (catching up batch by batch until the loop yields), MLflow spills to its spool (sent after the loop).
  // Default options (interval 10: ten steps averaged into one point) beside interval 1 (every point exported).
  // With interval 10 only a tenth of the scalars reach the queues: 10 M of them fill them as 1 M do at interval 1.
  const loops: [string, { experimentLoggingInterval?: number }, number][] = [
    ['default options', {}, Number(process.env.BENCH_NEVER_YIELD_SCALARS ?? 10_000_000)],
    [
      'default options but experimentLoggingInterval 1 (every point exported)',
      { experimentLoggingInterval: 1 },
      Number(process.env.BENCH_NEVER_YIELD_SCALARS_1 ?? 1_000_000),
    ],
  ];
  for (const [label, extra, NEVER] of loops) {
    const tracker = await allThree(`never-yield-${extra.experimentLoggingInterval ?? 'default'}`, extra);
    const loop = neverYieldLoop(tracker, NEVER);
    // MLflow's spooled tail takes the server minutes: what close() cannot send in 30 s stays in the spool.
    await tracker.close(undefined, { timeoutMs: 30_000 });
    const name = `never-yielding loop, ${label} (${NEVER / 1e6}M scalars, 3 backends)`;
    report({ package: '@metrics/unified', name: `log() caller cost, ${name}`, value: loop.callerNs, unit: 'ns/scalar' });
    report({ package: '@metrics/unified', name: `longest single log() call, ${name}`, value: loop.maxCallMs, unit: 'ms' });
    report({ package: '@metrics/unified', name: `caller throughput, ${name}`, value: NEVER / loop.loopSecs, unit: 'scalars/s' });
    const stats = tracker.stats();
    for (const e of stats.exporters)
      report({
        package: '@metrics/unified',
        name: `never-yield (${label}) ${e.name}: of ${stats.accepted} accepted`,
        value: e.exported,
        unit: `exported, ${e.spilled} spooled, ${e.dropped} dropped, ${e.queued} left`,
      });
  }

  // Memory: 10 million scalars through all three backends, from a fresh tracker; growth over the RSS it
  // started with. MLflow (one sqlite server) takes ~8k points/s: the rest goes to its spool on disk.
  global.gc?.();
  const tracker = await allThree('memory');
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  let step = 0;
  const TOTAL = Number(process.env.BENCH_SCALARS ?? 10_000_000);
  const t0 = process.hrtime.bigint();
  for (let sent = 0; sent < TOTAL; sent += 10) {
    tracker.log(values, { step: step++ });
    if (step % 1000 === 0) {
      await new Promise((r) => setImmediate(r));
      if (step % 100_000 === 0) peak = Math.max(peak, process.memoryUsage.rss());
    }
  }
  const loopSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  peak = Math.max(peak, process.memoryUsage.rss());
  await tracker.close(undefined, { timeoutMs: 30_000 });
  peak = Math.max(peak, process.memoryUsage.rss());
  report({
    package: '@metrics/unified',
    name: `RSS growth, ${TOTAL / 1e6}M scalars through 3 backends`,
    value: (peak - rss0) / 2 ** 20,
    unit: `MB (from ${(rss0 / 2 ** 20).toFixed(0)} MB)`,
  });
  report({ package: '@metrics/unified', name: 'training loop with 3 backends, end to end', value: TOTAL / loopSecs, unit: 'scalars/s' });
  const stats = tracker.stats();
  for (const e of stats.exporters)
    report({
      package: '@metrics/unified',
      name: `${e.name}: of ${stats.accepted} accepted`,
      value: e.exported,
      unit: `exported, ${e.spilled} spooled, ${e.failed} failed, ${e.dropped} dropped, ${e.unsupported} unsupported`,
    });
} finally {
  await server.stop();
}
