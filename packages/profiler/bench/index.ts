/**
 * Added cost per profiled synchronous call, against the bare call, `performance.timerify` and an
 * OpenTelemetry span start/end (BasicTracerProvider, no span processor). Run:
 *   node --import tsx bench/index.ts
 */
import { createHistogram, performance } from 'node:perf_hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { nsPerOp, report } from '@metrics/bench';
import { createLogger } from '@metrics/core';
import { createProfiler } from '../src/index.js';

const PKG = '@metrics/profiler';
const N = 1_000_000;

let sink = 0;
function work(): number {
  sink = (sink + 1) | 0;
  return sink;
}

const loop = (call: () => unknown) => () => {
  for (let i = 0; i < N; i++) call();
};

// Clocks: which is cheaper to read?
const perfNow = await nsPerOp(
  loop(() => performance.now()),
  N,
);
const hrBig = await nsPerOp(
  loop(() => process.hrtime.bigint()),
  N,
);
report({
  package: PKG,
  name: 'clock read: performance.now()',
  value: perfNow,
  unit: 'ns/op',
  peer: 'process.hrtime.bigint()',
  peerValue: hrBig,
  ratio: hrBig / perfNow,
});

const bare = await nsPerOp(loop(work), N);
report({ package: PKG, name: 'bare call', value: bare, unit: 'ns/op' });

const profiler = createProfiler({ logger: createLogger({ level: 'silent' }) });
const profiled = await nsPerOp(
  loop(() => profiler.profileOperation('work', 'performance_benchmarking', work)),
  N,
);
const op = profiler.operation('work_handle', 'performance_benchmarking');
const handled = await nsPerOp(
  loop(() => op.run(work)),
  N,
);

const noop = createProfiler({ enabled: false });
const disabled = await nsPerOp(
  loop(() => noop.profileOperation('work', 'performance_benchmarking', work)),
  N,
);

const traced = createProfiler({ trace: true, maxTraceEvents: 1000, logger: createLogger({ level: 'silent' }) });
const withTrace = await nsPerOp(
  loop(() => traced.profileOperation('work', 'performance_benchmarking', work)),
  N,
);

const histogram = createHistogram();
const timerified = performance.timerify(work, { histogram });
const timerify = await nsPerOp(loop(timerified), N);

const provider = new BasicTracerProvider();
const tracer = provider.getTracer('bench');
const otel = await nsPerOp(
  loop(() => {
    const span = tracer.startSpan('work');
    try {
      return work();
    } finally {
      span.end();
    }
  }),
  N,
);

const added = profiled - bare;
const addedHandle = handled - bare;
const addedOtel = otel - bare;
const addedTimerify = timerify - bare;
report({
  package: PKG,
  name: 'added per profileOperation (stats on)',
  value: added,
  unit: 'ns/op',
  peer: 'OpenTelemetry span start/end',
  peerValue: addedOtel,
  ratio: addedOtel / added,
});
report({
  package: PKG,
  name: 'added per operation handle run (stats on)',
  value: addedHandle,
  unit: 'ns/op',
  peer: 'OpenTelemetry span start/end',
  peerValue: addedOtel,
  ratio: addedOtel / addedHandle,
});
report({
  package: PKG,
  name: 'added per profileOperation (stats on)',
  value: added,
  unit: 'ns/op',
  peer: 'performance.timerify (histogram)',
  peerValue: addedTimerify,
  ratio: addedTimerify / added,
});
report({ package: PKG, name: 'added per profileOperation (stats + trace)', value: withTrace - bare, unit: 'ns/op' });
report({ package: PKG, name: 'added per profileOperation (disabled no-op)', value: disabled - bare, unit: 'ns/op' });

const target = added <= 250 && addedOtel / added >= 5;
console.log(`target (≤ 250 ns added, ≥ 5× cheaper than an OTel span): ${target ? 'met' : 'NOT met'}`);
console.log(`(profiled ${profiler.report().operations[0].count.toLocaleString()} calls; sink ${sink})`);
