/**
 * All against one real `mlflow server` (sqlite, loopback, 1 worker) in the same run: metrics/s delivered by
 * our tracker; the MLflow Python client one `log_metric` per call, `log_batch`, and async logging
 * (`synchronous=False`); a bare sequence of maximal (1000-metric) `log-batch` requests from Node (the
 * server's limit), alternated over BENCH_ROUNDS rounds (medians). Also the caller-side cost of `log()`, and
 * with default options a loop that never yields beside one that yields (BENCH_NEVER_YIELD_SCALARS, 1 M).
 * Run: node --import tsx bench/index.ts   (BENCH_POINTS, BENCH_PY_CALLS to change sizes)
 */
import { Agent, request } from 'undici';
import { createLogger } from '@metrics/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, neverYieldLoop, nsPerOp, report } from '@metrics/bench';
import { runPython, startMlflowServer } from '@metrics/oracle';
import { createMlflowTracker } from '../src/index.js';

const PKG = '@metrics/mlflow';
const POINTS = Number(process.env.BENCH_POINTS ?? 20_000);
const PY_CALLS = Number(process.env.BENCH_PY_CALLS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// The Python client's async logging runs at tens of metrics/s against this server: a few thousand calls measure it.
const PY_ASYNC = Number(process.env.BENCH_PY_ASYNC ?? 2000);
const LOOP_SCALARS = Number(process.env.BENCH_NEVER_YIELD_SCALARS ?? 1_000_000);

const server = await startMlflowServer();
try {
  const api = (path: string) => `${server.url}/api/2.0/mlflow/${path}`;
  const post = async (agent: Agent, path: string, body: unknown) => {
    const r = await request(api(path), { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await r.body.text();
    if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode} ${text}`);
    // biome-ignore lint/suspicious/noExplicitAny: bench-only JSON of the MLflow REST API
    return JSON.parse(text) as Record<string, any>;
  };

  // 1 and 2, alternated over several rounds (medians), so neither side gets a warmer JIT or a smaller database.
  // 1. Our tracker, end to end (log() → pipeline → log-batch → server).
  const ourRound = async (round: number) => {
    const tracker = createMlflowTracker({
      trackingUri: server.url,
      experiment: 'bench',
      runName: `tracker-${round}`,
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
      env: {},
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
  };

  // 2. Bare maximal log-batch sequence from Node (the server's limit).
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 1 });
  const exp = await post(agent, 'experiments/create', { name: `bench-bare-${Date.now()}` });
  const bareRound = async (round: number) => {
    const run = await post(agent, 'runs/create', { experiment_id: exp.experiment_id, start_time: Date.now(), run_name: `bare-${round}` });
    const runId = run.run.info.run_id as string;
    const tb = process.hrtime.bigint();
    for (let s = 0; s < POINTS; s += 1000) {
      const ts = Date.now();
      const metrics = Array.from({ length: Math.min(1000, POINTS - s) }, (_, k) => ({
        key: 'training/loss',
        value: Math.sin(s + k),
        timestamp: ts,
        step: s + k,
      }));
      await post(agent, 'runs/log-batch', { run_id: runId, metrics });
    }
    return POINTS / (Number(process.hrtime.bigint() - tb) / 1e9);
  };
  const ours: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    ours.push(await ourRound(round));
    bare.push(await bareRound(round));
  }
  const oursPerSec = median(ours);
  const barePerSec = median(bare);
  await agent.close();

  // 3. The MLflow Python client: per call, log_batch, async.
  const py = (await runPython(
    String.raw`
import sys, time, json, math
from mlflow.tracking import MlflowClient
from mlflow.entities import Metric
c = MlflowClient(tracking_uri=sys.argv[1]); n = int(sys.argv[2]); nb = int(sys.argv[3]); na = int(sys.argv[4])
e = c.create_experiment('bench-py-%d' % int(time.time() * 1000))
def run(): return c.create_run(e).info.run_id
r = run(); t = time.perf_counter()
for i in range(n): c.log_metric(r, 'training/loss', math.sin(i), step=i)
per_call = n / (time.perf_counter() - t)
r = run(); t = time.perf_counter(); ts = int(time.time() * 1000)
for s in range(0, nb, 1000):
    c.log_batch(r, metrics=[Metric('training/loss', math.sin(i), ts, i) for i in range(s, min(nb, s + 1000))])
batch = nb / (time.perf_counter() - t)
r = run(); t = time.perf_counter(); ops = []
for i in range(na): ops.append(c.log_metric(r, 'training/loss', math.sin(i), step=i, synchronous=False))
for o in ops: o.wait()
asyn = na / (time.perf_counter() - t)
print(json.dumps({'per_call': per_call, 'batch': batch, 'async': asyn}))`,
    { args: [server.url, String(PY_CALLS), String(POINTS), String(PY_ASYNC)], timeoutMs: 1_800_000 },
  )) as { per_call: number; batch: number; async: number };

  report({
    package: PKG,
    name: 'tracker metrics/s delivered',
    value: oursPerSec,
    unit: 'metrics/s',
    peer: 'python log_metric per call',
    peerValue: py.per_call,
    ratio: oursPerSec / py.per_call,
  });
  report({
    package: PKG,
    name: 'tracker metrics/s delivered',
    value: oursPerSec,
    unit: 'metrics/s',
    peer: 'python log_batch',
    peerValue: py.batch,
    ratio: oursPerSec / py.batch,
  });
  report({
    package: PKG,
    name: 'tracker metrics/s delivered',
    value: oursPerSec,
    unit: 'metrics/s',
    peer: 'python async log_metric',
    peerValue: py.async,
    ratio: oursPerSec / py.async,
  });
  report({
    package: PKG,
    name: 'tracker metrics/s delivered',
    value: oursPerSec,
    unit: 'metrics/s',
    peer: 'bare maximal log-batch (Node)',
    peerValue: barePerSec,
    ratio: oursPerSec / barePerSec,
  });

  // 4. Caller-side cost of log(): no server round trip on the caller's path (unreachable URI, spill off).
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

  // 5. Default options against the real server, 10 scalars a step: a loop that never yields (the queue of
  // 200 000 fills; the rest is spilled to the spool on the caller's path) beside one that yields every 1 000
  // steps. The server stores a few thousand points/s: what close() cannot send in 5 s stays in the spool.
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
    const steps = LOOP_SCALARS / 10;
    let spent = 0;
    let maxCallMs = 0;
    for (let s = 0; s < steps; s += yieldEvery || steps) {
      const part = neverYieldLoop(t, Math.min(yieldEvery || steps, steps - s) * 10, 10, s);
      spent += part.loopSecs;
      maxCallMs = Math.max(maxCallMs, part.maxCallMs);
      if (yieldEvery) await new Promise((r) => setImmediate(r));
    }
    await t.close(undefined, { timeoutMs: 5000 });
    const ex = t.stats().exporters[0]!;
    if (ex.dropped + ex.failed !== 0) throw new Error(`bench: ${ex.dropped} dropped, ${ex.failed} failed`);
    rmSync(spillDir, { recursive: true, force: true });
    const name = `${loop} loop, default options (${LOOP_SCALARS / 1e6}M, 10/step)`;
    report({ package: PKG, name: `log() caller cost, ${name}`, value: (spent * 1e9) / LOOP_SCALARS, unit: 'ns/scalar' });
    report({ package: PKG, name: `longest single log() call, ${name}`, value: maxCallMs, unit: 'ms' });
  }
} finally {
  await server.stop();
}
