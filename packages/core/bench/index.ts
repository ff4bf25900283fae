// Caller-side cost of log(): 10 scalars a call, names already seen, into the pipeline with the in-memory
// exporter (records counted, not kept). Median over rounds of 100 000 calls.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loggingLoop, median, nsPerOp, report } from '@metrics/bench';
import { createTracker } from '../src/index.js';
import { InMemoryExporter } from '../src/test.js';

const exporter = new InMemoryExporter();
exporter.keep = false;
const tracker = createTracker({ exporters: [exporter], handleExit: false, logLevel: 'silent', batch: { maxQueueSize: 10_000_000 } });
const names = Array.from({ length: 10 }, (_, i) => `training/metric_${i}`);
const values: Record<string, number> = {};
for (const n of names) values[n] = 0;

const CALLS = 100_000;
let step = 0;
const ns = await nsPerOp(async () => {
  for (let i = 0; i < CALLS; i++) {
    for (let j = 0; j < 10; j++) values[names[j]!] = i * 0.001 + j;
    tracker.log(values, { step: step++ });
  }
  await tracker.flush();
}, CALLS * 10);

// The caller-side cost alone: time only the log() calls; every 1 000 calls the loop yields (untimed) so the
// pipeline exports in the background, as it does between a real training loop's awaits.
const samples: number[] = [];
for (let round = 0; round < 15; round++) {
  let spent = 0n;
  for (let chunk = 0; chunk < CALLS / 1000; chunk++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) tracker.log(values, { step: step++ });
    spent += process.hrtime.bigint() - t0;
    await new Promise((r) => setImmediate(r));
  }
  samples.push(Number(spent) / (CALLS * 10));
}
const callerNs = median(samples.slice(2));
await tracker.close();

report({ package: '@metrics/core', name: 'log() caller cost per scalar (10/call)', value: callerNs, unit: 'ns/scalar' });
report({ package: '@metrics/core', name: 'log() + export per scalar (in-memory exporter)', value: ns, unit: 'ns/scalar' });
report({ package: '@metrics/core', name: 'pipeline throughput', value: 1e9 / ns, unit: 'scalars/s' });

// Default options (queue 200 000), 1 M scalars, 10 a call, the in-memory exporter (no exportSync: a full
// queue spills to the spool, the path of a remote backend): a loop that never yields beside one that yields
// every 1 000 calls. Medians of 3 runs.
const LOOP_SCALARS = Number(process.env.BENCH_NEVER_YIELD_SCALARS ?? 1_000_000);
for (const [loop, yieldEvery] of [
  ['never-yielding', 0],
  ['yielding', 1000],
] as const) {
  const runs: { callerNs: number; maxCallMs: number }[] = [];
  for (let round = 0; round < 3; round++) {
    const spillDir = mkdtempSync(join(tmpdir(), 'core-bench-'));
    const sink = new InMemoryExporter();
    sink.keep = false;
    const t = createTracker({ exporters: [sink], handleExit: false, logLevel: 'silent', spillDir });
    const { callerNs, maxCallMs } = await loggingLoop(t, LOOP_SCALARS, yieldEvery);
    await t.close();
    const ex = t.stats().exporters[0]!;
    if (ex.exported !== LOOP_SCALARS) throw new Error(`bench: exported ${ex.exported} of ${LOOP_SCALARS}`);
    rmSync(spillDir, { recursive: true, force: true });
    runs.push({ callerNs, maxCallMs });
  }
  const name = `${loop} loop, default options (${LOOP_SCALARS / 1e6}M, in-memory exporter, median of 3)`;
  report({ package: '@metrics/core', name: `log() caller cost, ${name}`, value: median(runs.map((r) => r.callerNs)), unit: 'ns/scalar' });
  report({ package: '@metrics/core', name: `longest single log() call, ${name}`, value: median(runs.map((r) => r.maxCallMs)), unit: 'ms' });
}
