import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '@metrics/core';

// The real facade, except that asking for MLflow fails the way an unfinished backend package does.
vi.mock('@metrics/unified', async (importOriginal) => {
  const real = await importOriginal<typeof import('@metrics/unified')>();
  return {
    ...real,
    createExperimentTracker: (options: Parameters<typeof real.createExperimentTracker>[0]) => {
      if (options?.mlflowLogging) throw new Error('@metrics/mlflow does not export createMlflowExporter; is it an older version?');
      return real.createExperimentTracker(options);
    },
  };
});

const { runPipeline } = await import('./pipeline.js');

describe('runPipeline with a backend that cannot be created', () => {
  it('goes on with the other backends and reports the one it skipped', async () => {
    const lines: string[] = [];
    const r = await runPipeline({
      epochs: 2,
      seed: 1,
      out: mkdtempSync(join(tmpdir(), 'demo-fallback-')),
      backends: ['tensorboard', 'mlflow'],
      logger: createLogger({ level: 'warn', sink: (_l, line) => lines.push(line) }),
      systemMetricsIntervalMs: 0,
      env: {},
    });
    expect(r.backends).toEqual(['tensorboard']);
    expect(r.unavailable).toEqual([{ backend: 'mlflow', reason: expect.stringContaining('@metrics/mlflow') }]);
    expect(lines.some((l) => l.includes('The mlflow backend is unavailable'))).toBe(true);
  });

  it('fails when no backend is left', async () => {
    await expect(
      runPipeline({
        epochs: 1,
        seed: 1,
        out: mkdtempSync(join(tmpdir(), 'demo-fallback-')),
        backends: ['mlflow'],
        logger: createLogger({ level: 'silent' }),
        env: {},
      }),
    ).rejects.toThrow(/does not export/);
  });
});
