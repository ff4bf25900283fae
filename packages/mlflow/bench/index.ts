/**
 * Against real `mlflow server`s, one setup after the other in the same run: sqlite with 1 worker, and
 * PostgreSQL with 4 workers (a private cluster on loopback). For each setup:
 * - the server's ceiling: a bare sequence of maximal (1000-metric) `log-batch` requests from Node with K in
 *   flight (K = the exporter's default `maxInFlight`, BENCH_IN_FLIGHT to change);
 * - our tracker's delivered metrics/s with the same K (ours and the ceiling alternate over BENCH_ROUNDS rounds: medians);
 * - the MLflow Python client: one `log_metric` per call, hand-batched `log_batch` from 4 threads, and
 *   `log_metric(..., synchronous=False)`.
 * BENCH_SWEEP=1 also measures ours and the ceiling for K = 1, 2, 4, 8 (how the default K was chosen).
 * Also the caller-side cost of `log()`, and (sqlite) with default options a loop that never yields beside one that
 * yields (BENCH_NEVER_YIELD_SCALARS, 1 M). The machine may be shared: compare ratios measured in the same run.
 * Last, the load scenario (bench/load.ts): 16 processes × 250,000 points to PostgreSQL/4 workers with two server
 * restarts, checked exactly-once (BENCH_LOAD_PER_WRITER for a smaller size, 0 to skip it; BENCH_LOAD_WRITERS).
 * Run: node --import tsx bench/index.ts   (BENCH_POINTS, BENCH_PY_CALLS, BENCH_PY_ASYNC, BENCH_SETUPS=sqlite,postgresql)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createLogger } from '@metrics/core';
import { loggingLoop, median, nsPerOp, report } from '@metrics/bench';
import { runPython, startMlflowServer, type MlflowServer, type MlflowStore } from '@metrics/oracle';
import { createMlflowTracker } from '../src/index.js';
import { benchLoad, loadEnabled } from './load.js';
import { DEFAULT_MAX_IN_FLIGHT } from '../src/settings.js';

const PKG = '@metrics/mlflow';
const POINTS = Number(process.env.BENCH_POINTS ?? 20_000);
const PY_CALLS = Number(process.env.BENCH_PY_CALLS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const K = Number(process.env.BENCH_IN_FLIGHT ?? DEFAULT_MAX_IN_FLIGHT);
const SWEEP = process.env.BENCH_SWEEP === '1';
// The Python client's async logging is slow against these servers: a couple of thousand calls measure it.
const PY_ASYNC = Number(process.env.BENCH_PY_ASYNC ?? 2000);
const LOOP_SCALARS = Number(process.env.BENCH_NEVER_YIELD_SCALARS ?? 1_000_000);
const SETUPS: { store: MlflowStore; workers: number; label: string }[] = [
  { store: 'sqlite' as const, workers: 1, label: 'sqlite, 1 worker' },
  { store: 'postgresql' as const, workers: 4, label: 'PostgreSQL, 4 workers' },
].filter((s) => (process.env.BENCH_SETUPS ?? 'sqlite,postgresql').split(',').includes(s.store));

// biome-ignore lint/suspicious/noExplicitAny: bench-only JSON of the MLflow REST API
type Json = Record<string, any>;

async function post(server: MlflowServer, agent: Agent, path: string, body: unknown): Promise<Json> {
  const r = await request(`${server.url}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.body.text();
  if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode} ${text}`);
  return JSON.parse(text) as Json;
}

/** Our tracker, end to end (log() → pipeline → log-batch → server), with `k` exports in flight. */
async function ours(server: MlflowServer, round: string, k: number): Promise<number> {
  const tracker = createMlflowTracker({
    trackingUri: server.url,
    experiment: 'bench',
    runName: `tracker-${round}`,
    handleExit: false,
    logger: createLogger({ level: 'silent' }),
    env: {},
    maxInFlight: k,
    batch: { maxBatchSize: 1000, maxQueueSize: 1_000_000, scheduledDelayMs: 5 },
  });
  await tracker.flush();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < POINTS; i++) tracker.log({ 'training/loss': Math.sin(i) }, { step: i });
  await tracker.flush();
  const perSec = POINTS / (Number(process.hrtime.bigint() - t0) / 1e9);
  await tracker.close();
  const ex = tracker.stats().exporters[0]!;
  if (ex.exported < POINTS || ex.dropped !== 0) throw new Error(`bench: exported ${ex.exported} of ${POINTS}`);
  return perSec;
}

/** The server's ceiling: bare maximal log-batch requests, `k` in flight, into one run. */
async function ceiling(server: MlflowServer, experimentId: string, round: string, k: number): Promise<number> {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: k });
  try {
    const run = await post(server, agent, 'runs/create', { experiment_id: experimentId, start_time: Date.now(), run_name: `bare-${round}` });
    const runId = run.run.info.run_id as string;
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: k }, async () => {
        for (let s = next; s < POINTS; s = next) {
          next += 1000;
          const ts = Date.now();
          const metrics = Array.from({ length: Math.min(1000, POINTS - s) }, (_, j) => ({
            key: 'training/loss',
            value: Math.sin(s + j),
            timestamp: ts,
            step: s + j,
          }));
          await post(server, agent, 'runs/log-batch', { run_id: runId, metrics });
        }
      }),
    );
    return POINTS / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    await agent.close();
  }
}

/** The MLflow Python client: per call, hand-batched log_batch from 4 threads, async log_metric. */
async function python(server: MlflowServer): Promise<{ per_call: number; batch4: number; async: number }> {
  return runPython(
    String.raw`
import sys, time, json, math, threading
from mlflow.tracking import MlflowClient
from mlflow.entities import Metric
c = MlflowClient(tracking_uri=sys.argv[1]); n = int(sys.argv[2]); nb = int(sys.argv[3]); na = int(sys.argv[4])
e = c.create_experiment('bench-py-%d' % int(time.time() * 1000))
def run(): return c.create_run(e).info.run_id
r = run(); t = time.perf_counter()
for i in range(n): c.log_metric(r, 'training/loss', math.sin(i), step=i)
per_call = n / (time.perf_counter() - t)
r = run(); ts = int(time.time() * 1000)
def part(w):
    lo, hi = nb * w // 4, nb * (w + 1) // 4
    for s in range(lo, hi, 1000):
        c.log_batch(r, metrics=[Metric('training/loss', math.sin(i), ts, i) for i in range(s, min(hi, s + 1000))])
threads = [threading.Thread(target=part, args=(w,)) for w in range(4)]
t = time.perf_counter()
for th in threads: th.start()
for th in threads: th.join()
batch4 = nb / (time.perf_counter() - t)
r = run(); t = time.perf_counter(); ops = []
for i in range(na): ops.append(c.log_metric(r, 'training/loss', math.sin(i), step=i, synchronous=False))
for o in ops: o.wait()
asyn = na / (time.perf_counter() - t)
print(json.dumps({'per_call': per_call, 'batch4': batch4, 'async': asyn}))`,
    { args: [server.url, String(PY_CALLS), String(POINTS), String(PY_ASYNC)], timeoutMs: 1_800_000 },
  );
}

for (const setup of SETUPS) {
  const server = await startMlflowServer({ store: setup.store, workers: setup.workers });
  try {
    const agent = new Agent({ connections: 1 });
    const exp = await post(server, agent, 'experiments/create', { name: `bench-bare-${Date.now()}` });
    await agent.close();
    const where = `[${setup.label}, K=${K}]`;
    // Ours and the ceiling alternate, so neither gets a warmer JIT or a smaller database.
    const oursK: number[] = [];
    const ceilK: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      oursK.push(await ours(server, `k${K}-${round}`, K));
      ceilK.push(await ceiling(server, exp.experiment_id, `k${K}-${round}`, K));
    }
    const oursPerSec = median(oursK);
    const ceilingPerSec = median(ceilK);
    report({ package: PKG, name: `server ceiling: bare maximal log-batch ${where}`, value: ceilingPerSec, unit: 'metrics/s' });
    report({
      package: PKG,
      name: `tracker metrics/s delivered ${where}`,
      value: oursPerSec,
      unit: 'metrics/s',
      peer: `server ceiling (bare log-batch, K=${K})`,
      peerValue: ceilingPerSec,
      ratio: oursPerSec / ceilingPerSec,
    });

    const py = await python(server);
    for (const [peer, value] of [
      ['python log_metric per call', py.per_call],
      ['python log_batch, 4 threads', py.batch4],
      ['python async log_metric (synchronous=False)', py.async],
    ] as const)
      report({
        package: PKG,
        name: `tracker metrics/s delivered ${where}`,
        value: oursPerSec,
        unit: 'metrics/s',
        peer,
        peerValue: value,
        ratio: oursPerSec / value,
      });

    if (SWEEP)
      for (const k of [1, 2, 4, 8]) {
        const o: number[] = [];
        const c: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          o.push(await ours(server, `sweep${k}-${round}`, k));
          c.push(await ceiling(server, exp.experiment_id, `sweep${k}-${round}`, k));
        }
        report({
          package: PKG,
          name: `K sweep: tracker [${setup.label}, K=${k}]`,
          value: median(o),
          unit: 'metrics/s',
          peer: 'server ceiling, same K',
          peerValue: median(c),
          ratio: median(o) / median(c),
        });
      }
    if (setup.store === 'sqlite') await neverYielding(server);
  } finally {
    await server.stop();
  }
}

/**
 * Default options against the real server, 10 scalars a step: a loop that never yields (the queue of 200 000
 * fills; the rest is spilled to the spool on the caller's path) beside one that yields every 1 000 steps. The
 * server stores a few thousand points/s: what close() cannot send in 5 s stays in the spool.
 */
async function neverYielding(server: MlflowServer): Promise<void> {
  for (const [loop, yieldEvery] of [
    ['never-yielding', 0],
    ['yielding', 1000],
  ] as const) {
    const spillDir = mkdtempSync(join(tmpdir(), 'mlflow-bench-'));
    const t = createMlflowTracker({
      trackingUri: server.url,
      experiment: 'bench',
      runName: loop,
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
      env: {},
      spillDir,
    });
    const { callerNs, maxCallMs } = await loggingLoop(t, LOOP_SCALARS, yieldEvery);
    await t.close(undefined, { timeoutMs: 5000 });
    const ex = t.stats().exporters[0]!;
    if (ex.dropped + ex.failed !== 0) throw new Error(`bench: ${ex.dropped} dropped, ${ex.failed} failed`);
    rmSync(spillDir, { recursive: true, force: true });
    const name = `${loop} loop, default options (${LOOP_SCALARS / 1e6}M, 10/step)`;
    report({ package: PKG, name: `log() caller cost, ${name}`, value: callerNs, unit: 'ns/scalar' });
    report({ package: PKG, name: `longest single log() call, ${name}`, value: maxCallMs, unit: 'ms' });
  }
}

// Caller-side cost of log(): no server round trip on the caller's path (unreachable URI, spill off).
const caller = createMlflowTracker({
  trackingUri: 'http://127.0.0.1:9',
  experiment: 'bench',
  handleExit: false,
  logger: createLogger({ level: 'silent' }),
  env: {},
  fullQueue: 'drop',
  batch: { maxQueueSize: 10_000_000 },
});
let step = 0;
const ns = await nsPerOp(() => {
  for (let i = 0; i < 10_000; i++) caller.log({ 'training/loss': i }, { step: step++ });
}, 10_000);
report({ package: PKG, name: 'caller cost of log() (1 metric)', value: ns, unit: 'ns/op' });
await caller.close(undefined, { timeoutMs: 100 });

if (loadEnabled) await benchLoad();
