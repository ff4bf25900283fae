import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, createTracker, InvalidCallError } from '@metrics/core';
import { mlflow } from '@metrics/mlflow';
import { tensorboard } from '@metrics/tensorboard';
import { wandb } from '@metrics/wandb';
import { InMemoryExporter } from '@metrics/core/test';
import { createExperimentTracker } from './index.js';

const OFF = { tensorboardLogging: false, mlflowLogging: false, wandbLogging: false } as const;

describe('the facade’s child()', () => {
  it("composes the backends' child runs: own step clock, the facade's naming and profiler, `backend()` of the child", async () => {
    const memory = new InMemoryExporter();
    const lines: string[] = [];
    const facade = await createExperimentTracker({
      ...OFF,
      trackers: [memory],
      experimentLoggingInterval: 1,
      systemMetricsIntervalMs: 10,
      logger: createLogger({ level: 'info', sink: (_l, line) => lines.push(line) }),
      env: {},
    });
    facade.logTrainingMetrics(0, 7, { loss: 1 });
    const trial = facade.child('trial-0', { jobType: 'trial', tags: { lr: '0.1' } });
    trial.logTrainingMetrics(0, 0, { loss: 2 }); // bare names get the category, as on the parent
    trial.logPerformanceMetrics({ samples_per_second: 10 }, { step: 0 });
    expect(trial.step).toBe(1);
    expect(trial.backend(memory.name)?.native()).toBe(memory.children[0]);
    await new Promise((r) => setTimeout(r, 50));
    await trial.close();
    await facade.close();
    const child = memory.children[0]!;
    expect(child.childRun).toEqual({ name: 'trial-0', jobType: 'trial' });
    expect(child.run).toMatchObject({ runName: 'trial-0', tags: { lr: '0.1' } });
    expect(child.scalars().map((p) => p.name)).toEqual(['training/loss', 'training/epoch', 'performance/samples_per_second']);
    // No system sampler of its own: the parent's samples go to the parent only.
    expect(memory.scalars().some((p) => p.name.startsWith('performance/cpu') || p.name.startsWith('system/'))).toBe(true);
    expect(facade.profiler.report().operations.find((o) => o.name === 'unified_training_logging')?.count).toBe(2);
    // A child that closed fine says nothing; the parent prints its summary.
    expect(lines.filter((l) => l.includes('experiment trackers closed'))).toHaveLength(1);
  });

  it("the parent's close summary lists its child runs and the commands each needs (a W&B child's own sync, an MLflow child's replay)", async () => {
    const root = mkdtempSync(join(tmpdir(), 'unified-children-'));
    const lines: string[] = [];
    const facade = await createExperimentTracker({
      experiment: 'cv',
      runName: 'study',
      exporters: [tensorboard({ logDir: join(root, 'tb') }), mlflow(), wandb({ mode: 'offline', dir: root })],
      mlflowSpoolDir: join(root, 'spool'),
      experimentLoggingInterval: 1,
      systemMetricsIntervalMs: 0,
      closeTimeoutMs: 5000,
      logger: createLogger({ level: 'info', sink: (_l, line) => lines.push(line) }),
      env: {},
    });
    for (let fold = 0; fold < 2; fold++) {
      const child = facade.child(`fold-${fold}`, { jobType: 'fold' });
      child.log({ 'validation/accuracy': 0.5 + fold / 10 }, { step: 0 });
      if (fold === 0) await child.close(); // fold-1 is left open: the parent's close ends it
    }
    await facade.close();
    const at = lines.findIndex((l) => l.includes('child runs (2):'));
    expect(at).toBeGreaterThan(0);
    const listed = lines.slice(at + 1).map((l) => l.replace(/^\[metrics\] /, ''));
    expect(listed[0]).toMatch(/^ {4}fold-0 \(finished\): tensorboard 1, mlflow 0 \(spooled\), wandb 1$/);
    // Each child's own W&B run directory and MLflow spool; TensorBoard's children sit inside the parent's logdir.
    expect(listed.filter((l) => /^ {8}wandb sync .*offline-run-/.test(l))).toHaveLength(2);
    expect(listed.filter((l) => /^ {8}metrics-mlflow replay /.test(l))).toHaveLength(2);
    expect(listed.some((l) => l.includes('tensorboard --logdir'))).toBe(false);
    expect(listed.some((l) => /^ {4}fold-1 \(finished\)/.test(l))).toBe(true);
    // Spooling with no server set is the plan: the folds do not each print a summary of their own.
    expect(lines.filter((l) => l.includes('Experiment trackers closed'))).toHaveLength(1);
  });

  it('a study of many trials lists the first 50 in the close summary and counts the rest', async () => {
    const lines: string[] = [];
    const facade = await createExperimentTracker({
      ...OFF,
      trackers: [new InMemoryExporter()],
      systemMetricsIntervalMs: 0,
      logger: createLogger({ level: 'info', sink: (_l, line) => lines.push(line) }),
      env: {},
    });
    for (let t = 0; t < 55; t++) {
      const trial = facade.child(`trial-${t}`);
      trial.log({ 'validation/accuracy': t / 100 }, { step: 0 });
      if (t % 2 === 0) await trial.close();
    }
    await facade.close();
    const listed = lines.filter((l) => /^\[metrics\] {5}trial-\d+ \(finished\): memory 1$/.test(l));
    expect(listed).toHaveLength(50);
    expect(lines).toContain('[metrics]     … and 5 more: 5 finished');
  });

  it('a custom Tracker passed as a backend gets a child of its own; bad arguments throw at once', async () => {
    const inner = new InMemoryExporter();
    const innerTracker = createTracker({ exporters: [inner], handleExit: false, logger: createLogger({ level: 'silent' }) });
    const facade = await createExperimentTracker({ ...OFF, trackers: [innerTracker], experimentLoggingInterval: 1, logLevel: 'silent', env: {} });
    expect(() => facade.child('', {})).toThrow(InvalidCallError);
    expect(() => facade.child('fold-0', { job_type: 'fold' } as never)).toThrow(/unknown option `job_type` \(did you mean `jobType`\?\)/);
    const fold = facade.child('fold-0', { jobType: 'fold' });
    fold.log({ 'validation/accuracy': 0.9 }, { step: 2 });
    await fold.fail(new Error('diverged'));
    const report = await facade.close();
    expect(report.status).toBe('finished');
    expect(inner.children[0]!.childRun).toEqual({ name: 'fold-0', jobType: 'fold' });
    expect(inner.children[0]!.scalars()).toEqual([{ name: 'validation/accuracy', value: 0.9, step: 2 }]);
    expect(inner.children[0]!.outcome?.status).toBe('failed');
    expect(inner.outcome).toEqual({ status: 'finished' }); // the parent, closed by the facade
  });
});
