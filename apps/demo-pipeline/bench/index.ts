// What the demo costs: one optimizer step of the MLP, and the whole pipeline with tracking (TensorBoard files +
// W&B offline run + profiler + system sampler) against the same training with no tracking at all.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, nsPerOp, report } from '@metrics/bench';
import { createLogger } from '@metrics/core';
import { loadIris } from '../src/data.js';
import { Adam, learningRateAt, Mlp } from '../src/model.js';
import { runPipeline } from '../src/pipeline.js';
import { createRng } from '../src/random.js';

const PKG = '@metrics/demo-pipeline';
const EPOCHS = 100;
const data = loadIris({ seed: 42 });

{
  const model = new Mlp([4, 64, 32, 3], createRng(1));
  const adam = new Adam(model);
  const x = data.train.x.subarray(0, 16 * 4);
  const y = data.train.y.subarray(0, 16);
  const ns = await nsPerOp(() => {
    for (let i = 0; i < 200; i++) adam.step(model.lossAndGradients(x, y, 16).gradients, 0.001);
  }, 200);
  report({ package: PKG, name: 'train step (batch 16, 4-64-32-3 MLP, Adam)', value: ns / 1000, unit: 'µs/step' });
}

/** The training loop alone, as the pipeline runs it, without any tracking. */
function trainOnly(): number {
  const t0 = performance.now();
  const model = new Mlp([4, 64, 32, 3], createRng(43));
  const adam = new Adam(model);
  const steps = Math.ceil(data.train.rows / 16);
  for (let e = 0; e < EPOCHS; e++) {
    for (let b = 0; b < steps; b++) {
      const from = b * 16;
      const rows = Math.min(16, data.train.rows - from);
      const g = model.lossAndGradients(data.train.x.subarray(from * 4, (from + rows) * 4), data.train.y.subarray(from, from + rows), rows);
      adam.step(g.gradients, learningRateAt(e * steps + b, EPOCHS * steps, 0.01, 16));
    }
    model.lossAndGradients(data.validation.x, data.validation.y, data.validation.rows);
  }
  return performance.now() - t0;
}

const bare: number[] = [];
const tracked: number[] = [];
for (let round = 0; round < 5; round++) {
  bare.push(trainOnly());
  const r = await runPipeline({
    epochs: EPOCHS,
    seed: 42,
    out: mkdtempSync(join(tmpdir(), 'demo-bench-')),
    backends: ['tensorboard', 'wandb'],
    logger: createLogger({ level: 'silent' }),
    env: {},
  });
  tracked.push(r.durationMs);
}
const bareMs = median(bare.slice(1));
const trackedMs = median(tracked.slice(1));
report({ package: PKG, name: `training only, ${EPOCHS} epochs (no tracking)`, value: bareMs, unit: 'ms' });
report({
  package: PKG,
  name: `whole pipeline, ${EPOCHS} epochs (TensorBoard + W&B offline)`,
  value: trackedMs,
  unit: 'ms',
  peer: 'training only',
  peerValue: bareMs,
  ratio: bareMs / trackedMs,
});
