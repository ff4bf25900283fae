// Caller-side cost of log(): 10 scalars a call, names already seen, into the pipeline with the in-memory
// exporter (records counted, not kept). Median over rounds of 100 000 calls.
import { median, nsPerOp, report } from '@metrics/bench';
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
