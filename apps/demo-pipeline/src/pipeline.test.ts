import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { runPipeline, type PipelineOptions } from './pipeline.js';
import { formatSummary, viewCommands } from './report.js';

const silent = createLogger({ level: 'silent' });
const options = (seed: number): PipelineOptions => ({
  epochs: 3,
  seed,
  out: mkdtempSync(join(tmpdir(), 'demo-pipeline-')),
  backends: ['tensorboard'],
  runName: 'unit',
  logger: silent,
  systemMetricsIntervalMs: 0,
  env: {},
});

describe('runPipeline', () => {
  it('is deterministic for a seed and differs for another', async () => {
    const a = await runPipeline(options(3));
    const b = await runPipeline(options(3));
    const c = await runPipeline(options(4));
    expect(b.epochs).toEqual(a.epochs);
    expect(b.trainingPoints).toEqual(a.trainingPoints);
    expect(c.epochs).not.toEqual(a.epochs);
  });

  it('logs training/* every 5 steps, validation per epoch, and reports what was exported', async () => {
    const r = await runPipeline(options(1));
    // 120 rows / batch 16 = 8 steps per epoch, 24 steps: points after steps 4, 9, 14, 19 and the last (23).
    expect(r.trainingPoints.map((p) => p.step)).toEqual([4, 9, 14, 19, 23]);
    expect(r.epochs.map((e) => e.step)).toEqual([7, 15, 23]);
    expect(r.lastStep).toBe(23);
    expect(r.usage.inferenceCount).toBe(5 * 30);
    expect(r.registered).toBeUndefined(); // no MLflow server
    expect(r.stats.exporters.map((s) => s.name)).toEqual(['tensorboard']);
    expect(r.stats.exporters[0]!.exported).toBeGreaterThan(20);
    expect(r.bottleneckReport).toContain('train_step');
    expect(viewCommands(r)).toEqual([`tensorboard --logdir ${r.paths.tensorboard}`]);
    const summary = formatSummary(r);
    expect(summary).toContain('Points logged per backend:');
    expect(summary).toContain(`│ accuracy                │ ${r.evaluation.accuracy.toFixed(4)}`);
  });

  it('without an MLflow server, spools MLflow points and shows the replay command', async () => {
    const r = await runPipeline({ ...options(2), backends: ['tensorboard', 'mlflow'], env: {} });
    // Without a server MLflow spools; it is still enabled (not "unavailable").
    expect(r.backends).toEqual(['tensorboard', 'mlflow']);
    expect(r.unavailable).toEqual([]);
    const mlflow = r.stats.exporters.find((s) => s.name === 'mlflow')!;
    expect(mlflow.spilled).toBeGreaterThan(0);
    expect(viewCommands(r)[1]).toContain(`metrics-mlflow replay ${r.paths.mlflowSpool}`);
  });
});
