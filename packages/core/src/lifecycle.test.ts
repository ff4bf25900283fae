import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { runTracked } from './run-tracked.js';
import { InMemoryExporter } from './testing/in-memory-exporter.js';
import { createTracker } from './tracker.js';
import { EXPORT_OK, type ExportResult } from './spec.js';

const quiet = createLogger({ level: 'silent' });
const trackerWith = (...exporters: InMemoryExporter[]) => createTracker({ exporters, handleExit: false, logger: quiet, runName: 'r', experiment: 'e' });

describe('ending a run', () => {
  it('fail(error) ends every run FAILED with that error; later calls return the same report', async () => {
    const memory = new InMemoryExporter();
    const t = trackerWith(memory);
    t.log({ 'training/loss': 1 }, { step: 0 });
    const error = new Error('diverged');
    const report = await t.fail(error);
    expect(memory.outcome).toEqual({ status: 'failed', error });
    expect(report).toEqual({ ok: true, status: 'failed', backends: [{ name: 'memory', status: 'ok', points: 1 }] });
    expect(await t.close()).toBe(report);
  });

  it('runTracked closes FINISHED and returns the result, or closes FAILED and rethrows the same error', async () => {
    const ok = new InMemoryExporter();
    expect(await runTracked(trackerWith(ok), (t) => (t.log({ 'training/loss': 1 }), 42))).toBe(42);
    expect(ok.outcome).toEqual({ status: 'finished' });

    const bad = new InMemoryExporter();
    const error = new Error('nan loss');
    const t = trackerWith(bad);
    await expect(
      runTracked(t, async (tr) => {
        tr.log({ 'training/loss': 1 }, { step: 0 });
        throw error;
      }),
    ).rejects.toBe(error);
    expect(bad.outcome).toEqual({ status: 'failed', error });
    expect(bad.count).toBe(1);
  });

  it('runTracked refuses a missing function at once, naming the fix', async () => {
    await expect(runTracked(trackerWith(new InMemoryExporter()), undefined as never)).rejects.toThrow(/second argument/);
  });

  it('close() reports each backend: ok, failed (records lost) or failed (never started), and ok only when all are', async () => {
    const good = new InMemoryExporter('good');
    const rejecting = new InMemoryExporter('rejecting');
    rejecting.failWith = (): ExportResult => ({ ok: false, error: new Error('HTTP 400 bad'), retryable: false });
    const unstartable = new InMemoryExporter('unstartable');
    unstartable.start = async () => ({ ok: false, error: new Error('EACCES: permission denied'), retryable: false });
    const t = trackerWith(good, rejecting, unstartable);
    for (let step = 0; step < 10; step++) t.log({ 'training/loss': step }, { step });
    const report = await t.close();
    expect(report.ok).toBe(false);
    expect(report.backends).toEqual([
      { name: 'good', status: 'ok', points: 10 },
      { name: 'rejecting', status: 'failed', points: 0, error: expect.stringMatching(/HTTP 400 bad; 10 records lost/) },
      { name: 'unstartable', status: 'failed', points: 0, error: expect.stringMatching(/could not be started \(EACCES.*10 records lost/) },
    ]);
  });

  it("close() carries the exporter's own description of its run", async () => {
    const memory = new InMemoryExporter();
    Object.assign(memory, { describeRun: () => ({ location: '/tmp/run', commands: ['view /tmp/run'] }) });
    memory.failWith = () => EXPORT_OK;
    const report = await trackerWith(memory).close();
    expect(report.backends[0]).toEqual({ name: 'memory', status: 'ok', points: 0, location: '/tmp/run', commands: ['view /tmp/run'] });
  });
});

describe('secrets are masked before any exporter sees them', () => {
  it('configs, hyperparameters, summaries and text', async () => {
    const key = 'k'.repeat(40);
    const saved = process.env.WANDB_API_KEY;
    process.env.WANDB_API_KEY = key;
    try {
      const memory = new InMemoryExporter();
      const t = trackerWith(memory);
      t.logConfig({ model: { layers: 2 }, wandb: { api_key: 'abc' }, note: `uses ${key}`, max_tokens: 4096 });
      t.logHyperparams({ lr: 0.1, db_password: 'hunter2' });
      t.setSummary({ 'custom/hf_token': 'tok', 'evaluation/accuracy': 0.9 });
      t.logText('custom/notes', `the key is ${key}`);
      await t.close();
      const text = JSON.stringify(memory.records);
      expect(text).not.toContain(key);
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('"abc"');
      expect(text).not.toContain('"tok"');
      expect(memory.records.find((r) => r.kind === 'config')).toMatchObject({ config: { model: { layers: 2 }, wandb: { api_key: '***' }, max_tokens: 4096 } });
      expect(memory.records.find((r) => r.kind === 'hparams')).toMatchObject({ params: { lr: 0.1, db_password: '***' } });
    } finally {
      if (saved === undefined) delete process.env.WANDB_API_KEY;
      else process.env.WANDB_API_KEY = saved;
    }
  });
});
