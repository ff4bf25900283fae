/**
 * Added time per batch of `trackerCallback` in `model.fit`, against the same fit without it: a 2-layer model
 * (32 → 64 ReLU → 10 softmax, Adam) at batch size 32 on the pure-JavaScript CPU backend, per epoch
 * (default) and per batch (`updateFreq: 'batch'`, the worst case: every batch's loss is read), logging
 * through core's pipeline to an in-memory exporter and through the facade to TensorBoard files. Fits with
 * and without the callback alternate, round by round, so drift on a shared machine hits both alike.
 * And against `tf.node.tensorBoard()` when `@tensorflow/tfjs-node` can be loaded. Run:
 *   node --import tsx bench/index.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, report } from '@metrics/bench';
import { createLogger, createTracker } from '@metrics/core';
import { InMemoryExporter } from '@metrics/core/test';
import { createExperimentTracker } from '@metrics/unified';
import * as tf from '@tensorflow/tfjs';
import { trackerCallback } from '../src/index.js';

const PKG = '@metrics/tfjs';
const BATCH = 32;
const BATCHES = 60;
const ROUNDS = Number(process.env.BENCH_TFJS_ROUNDS ?? 15);
const quiet = createLogger({ level: 'silent' });

function twoLayer(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [32], units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const x = tf.randomNormal([BATCH * BATCHES, 32], 0, 1, 'float32', 3);
const y = tf.oneHot(tf.randomUniform([BATCH * BATCHES], 0, 10, 'int32', 4), 10).toFloat();
const model = twoLayer();

/** Milliseconds per batch of one fit (one epoch of BATCHES batches), with these callbacks. */
async function msPerBatch(callbacks: tf.CustomCallbackArgs[] | tf.Callback[] | undefined): Promise<number> {
  const t0 = process.hrtime.bigint();
  await model.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0, callbacks });
  return Number(process.hrtime.bigint() - t0) / 1e6 / BATCHES;
}

type Variant = { name: string; callbacks: () => tf.Callback[] | undefined };

/** Time spent inside a callback's hooks: the fit loop awaits each hook in turn, so this is the time it adds. */
const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;
let inHooksNs = 0n;
/** Each batch's time in the hooks (µs), for a median that a preemption on a loaded machine does not skew. */
let perBatchUs: number[] = [];
function timed(callback: tf.Callback): tf.Callback {
  const hooks = callback as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
  for (const hook of HOOKS) {
    const original = hooks[hook]!.bind(callback);
    hooks[hook] = async (...args: unknown[]) => {
      const t0 = process.hrtime.bigint();
      await original(...args);
      const spent = process.hrtime.bigint() - t0;
      inHooksNs += spent;
      if (hook === 'onBatchEnd') perBatchUs.push(Number(spent) / 1e3);
    };
  }
  return callback;
}

interface Measured {
  /** Median ms per batch of the fits with the callback. */
  ms: number;
  /** Median of (fit with − the bare fit of the same round), ms per batch: noisy on a shared machine. */
  difference: number;
  /** Median ms per batch spent inside the callback's hooks: the added time, measured directly. */
  inHooks: number;
  /** Median over single batches of the time in `onBatchEnd`, µs. */
  batchEndUs: number;
}

/**
 * Per round: the bare fit and each variant, in an order that rotates from round to round (so no variant
 * always runs right after a collection-heavy one).
 */
async function compare(variants: Variant[]): Promise<{ bare: number; perVariant: Map<string, Measured> }> {
  await msPerBatch(undefined); // warm-up: the optimizer's variables, kernels' first runs
  for (const v of variants) await msPerBatch(v.callbacks());
  const bare: number[] = [];
  const samples = new Map(variants.map((v) => [v.name, { ms: [] as number[], inHooks: [] as number[], batchEndUs: [] as number[] }]));
  const order: (Variant | undefined)[] = [undefined, ...variants];
  for (let r = 0; r < ROUNDS; r++) {
    const round = new Map<string, { ms: number; inHooks: number }>();
    let bareMs = 0;
    for (let i = 0; i < order.length; i++) {
      const v = order[(i + r) % order.length];
      if (!v) {
        bareMs = await msPerBatch(undefined);
        continue;
      }
      inHooksNs = 0n;
      perBatchUs = [];
      const ms = await msPerBatch((v.callbacks() ?? []).map(timed));
      round.set(v.name, { ms, inHooks: Number(inHooksNs) / 1e6 / BATCHES });
      samples.get(v.name)!.batchEndUs.push(...perBatchUs);
    }
    bare.push(bareMs);
    for (const [name, m] of round) {
      samples.get(name)!.ms.push(m.ms);
      samples.get(name)!.inHooks.push(m.inHooks);
    }
  }
  const perVariant = new Map<string, Measured>();
  for (const [name, s] of samples)
    perVariant.set(name, {
      ms: median(s.ms),
      difference: median(s.ms.map((m, i) => m - bare[i]!)),
      inHooks: median(s.inHooks),
      batchEndUs: median(s.batchEndUs),
    });
  return { bare: median(bare), perVariant };
}

const memory = new InMemoryExporter();
memory.keep = false;
const core = createTracker({ exporters: [memory], logger: quiet, handleExit: false, experiment: 'bench', runName: 'tfjs' });
const dir = mkdtempSync(join(tmpdir(), 'tfjs-bench-'));
const facade = await createExperimentTracker({
  experiment: 'tfjs-bench',
  runName: 'tensorboard',
  tensorboardLogging: true,
  tensorboardLogDir: join(dir, 'runs'),
  mlflowLogging: false,
  wandbLogging: false,
  experimentLoggingInterval: 1,
  selectiveLogging: false,
  logLevel: 'silent',
  env: {},
});

const variants: Variant[] = [
  { name: 'trackerCallback per epoch, in-memory', callbacks: () => [trackerCallback(core, { logModel: false, logger: quiet })] },
  { name: 'trackerCallback per batch, in-memory', callbacks: () => [trackerCallback(core, { updateFreq: 'batch', logModel: false, logger: quiet })] },
  { name: 'trackerCallback per batch, facade → TB', callbacks: () => [trackerCallback(facade, { updateFreq: 'batch', logModel: false, logger: quiet })] },
];

// tfjs-node's own TensorBoard callback, when its native binary could be installed (its install downloads libtensorflow).
let tfNode: { node: { tensorBoard(dir: string, args?: { updateFreq?: 'batch' | 'epoch' }): tf.Callback } } | undefined;
try {
  tfNode = (await import('@tensorflow/tfjs-node' as string)) as typeof tfNode;
} catch (error) {
  console.log(`@tensorflow/tfjs-node is not loadable here (${(error as Error).message.split('\n')[0]}): no comparison with tf.node.tensorBoard().`);
}
if (tfNode)
  variants.push({ name: 'tf.node.tensorBoard, per batch', callbacks: () => [tfNode!.node.tensorBoard(join(dir, 'tfnode'), { updateFreq: 'batch' })] });

const { bare, perVariant } = await compare(variants);
report({ package: PKG, name: 'fit, 2-layer model, batch 32, no callback', value: bare, unit: 'ms/batch' });
for (const [name, { ms, difference, inHooks, batchEndUs }] of perVariant) {
  report({ package: PKG, name: `with ${name}`, value: ms, unit: 'ms/batch' });
  report({ package: PKG, name: `${name}: onBatchEnd, median batch`, value: batchEndUs, unit: 'µs' });
  report({ package: PKG, name: `${name}: onBatchEnd, median batch, share`, value: (batchEndUs / 1000 / bare) * 100, unit: '% of batch time' });
  report({ package: PKG, name: `${name}: all hooks, mean per batch`, value: inHooks * 1000, unit: 'µs/batch' });
  report({ package: PKG, name: `${name}: all hooks, mean per batch, share`, value: (inHooks / bare) * 100, unit: '% of batch time' });
  report({ package: PKG, name: `${name}: fit time difference (noisy)`, value: (difference / bare) * 100, unit: '% of batch time' });
}
await core.close();
await facade.close();
tf.dispose([x, y]);
model.dispose();
