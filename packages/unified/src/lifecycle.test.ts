import { describe, expect, it } from 'vitest';
import { createLogger, InvalidConfigError } from '@metrics/core';
import { InMemoryExporter } from '@metrics/core/test';
import { createExperimentTracker, runTracked } from './index.js';

const OFF = { tensorboardLogging: false, mlflowLogging: false, wandbLogging: false } as const;

async function withMemory() {
  const memory = new InMemoryExporter();
  const lines: string[] = [];
  const tracker = await createExperimentTracker({ ...OFF, trackers: [memory], logger: createLogger({ sink: (_l, line) => lines.push(line) }), env: {} });
  return { tracker, memory, lines };
}

describe('facade lifecycle', () => {
  it('fail(error) ends the runs FAILED and the close line says the run failed', async () => {
    const { tracker, memory, lines } = await withMemory();
    tracker.log({ 'training/loss': 1 }, { step: 0 });
    const error = new Error('out of memory');
    const report = await tracker.fail(error);
    expect(memory.outcome).toEqual({ status: 'failed', error });
    expect(report).toMatchObject({ ok: true, status: 'failed', backends: [{ name: 'memory', status: 'ok', points: 1 }] });
    expect(lines.filter((l) => l.includes('closed'))).toEqual(['[metrics] ✅ All experiment trackers closed (run failed)']);
    expect(lines).toContain('[metrics]   memory: 1 records');
    expect(await tracker.close()).toBe(report); // idempotent, one summary
    expect(lines.filter((l) => l.includes('closed'))).toHaveLength(1);
  });

  it('runTracked on the facade: FAILED and rethrown on error, FINISHED otherwise', async () => {
    const failing = await withMemory();
    const error = new Error('bad batch');
    await expect(runTracked(failing.tracker, () => Promise.reject(error))).rejects.toBe(error);
    expect(failing.memory.outcome).toEqual({ status: 'failed', error });
    const fine = await withMemory();
    expect(await runTracked(fine.tracker, async (t) => (t.log({ 'training/loss': 2 }, { step: 0 }), 'done'))).toBe('done');
    expect(fine.memory.outcome).toEqual({ status: 'finished' });
  });

  it('asynchronousLogging: false is refused at creation, saying logging is always asynchronous and to await flush()', async () => {
    const attempt = createExperimentTracker({ ...OFF, asynchronousLogging: false as never, env: {} });
    await expect(attempt).rejects.toSatisfy((e: unknown) => InvalidConfigError.isInstance(e));
    await expect(createExperimentTracker({ ...OFF, asynchronousLogging: false as never, env: {} })).rejects.toThrow(
      /asynchronousLogging.*logging is always asynchronous.*await tracker\.flush\(\)/s,
    );
    const ok = await createExperimentTracker({ ...OFF, asynchronousLogging: true, env: {} });
    await ok.close();
  });
});
