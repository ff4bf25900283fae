/**
 * Deterministic reproductions of what the fuzzers found, one test per defect, so each one fails with a
 * readable message of its own (the fuzz properties stop at the first failure they meet).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, createTracker, MAX_STEP, MetricsError } from '@metrics/core';
import { readSpool } from '@metrics/core/backend';
import { InMemoryExporter } from '@metrics/core/test';
import { createMlflowTracker } from '@metrics/mlflow';
import { createTensorBoardTracker } from '@metrics/tensorboard';
import { nastyConfig } from './support/security-inputs.js';
import { openFacade, removeTree, tempRoot, tensorBoardCounts, walkFiles, wandbCounts } from './support/security-harness.js';
import { runTsChild } from './support/security-spawn.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));
const root = (name: string) => {
  const r = tempRoot(name);
  roots.push(r);
  return r;
};
const silent = () => createLogger({ level: 'silent' });

describe('defects found by the fuzzers', () => {
  it('logHistogram/logImage/logText with a valid name but an invalid step are counted as skipped (not silently lost)', async () => {
    const t = createTracker({ exporters: [new InMemoryExporter()], handleExit: false, logger: silent() });
    const deltas: Record<string, number> = {};
    const calls: [string, () => void][] = [
      ['logHistogram', () => t.logHistogram('training/h', [1, 2], { step: -1 })],
      ['logImage', () => t.logImage('training/i', { width: 1, height: 1, channels: 1, data: new Uint8Array(1) }, { step: 0.5 })],
      ['logText', () => t.logText('training/t', 'x', { step: Number.NaN })],
    ];
    for (const [name, call] of calls) {
      const before = t.stats();
      call();
      const after = t.stats();
      deltas[name] = after.accepted - before.accepted + (after.skipped - before.skipped);
    }
    await t.close();
    console.log(`reliability: invalid step on media calls — ${calls.length} calls, counted ${JSON.stringify(deltas)}`);
    expect(deltas).toEqual({ logHistogram: 1, logImage: 1, logText: 1 });
  });

  it('logHistogram(name, null), other non-array values and arrays holding a BigInt do not throw in warn policy', async () => {
    const t = createTracker({ exporters: [new InMemoryExporter()], handleExit: false, logger: silent() });
    const thrown: string[] = [];
    for (const values of [null, undefined, 5, 'abc', true, [1n, 2n], [0.5, 3n]]) {
      try {
        t.logHistogram('training/h', values as unknown as number[], { step: 0 });
      } catch (error) {
        thrown.push(`${String(values)}: ${(error as Error).message}`);
      }
    }
    await t.close();
    console.log(`reliability: logHistogram odd values — 7 calls, ${thrown.length} threw`);
    expect(thrown).toEqual([]);
  });

  it('logConfig of an object with a throwing getter does not throw in warn policy', async () => {
    const t = createTracker({ exporters: [new InMemoryExporter()], handleExit: false, logger: silent() });
    expect(() => t.logConfig(nastyConfig('getter-throws') as Record<string, unknown>)).not.toThrow();
    await t.close();
  });

  it('one record JSON cannot encode (BigInt summary, cyclic/deep config) does not lose the other records of its spool batch', async () => {
    const spooledScalars: Record<string, number> = {};
    for (const poison of ['bigint-summary', 'cyclic', 'deep'] as const) {
      const dir = root(`spool-${poison}`);
      const t = createMlflowTracker({ env: {}, spillDir: dir, experiment: 'e', runName: 'r', handleExit: false, logger: silent() });
      t.log({ 'training/loss': 1 }, { step: 0 });
      if (poison === 'bigint-summary') t.setSummary({ 'training/seed': 7n as unknown as number });
      else t.logConfig(nastyConfig(poison) as Record<string, unknown>);
      t.log({ 'training/loss': 2 }, { step: 1 });
      await t.close();
      spooledScalars[poison] = walkFiles(dir)
        .flatMap((f) => readSpool(f).records)
        .filter((r) => r.kind === 'scalar').length;
    }
    console.log(`reliability: spool with one unencodable record — 3 batches of 2 scalars + 1 poison, scalars spooled ${JSON.stringify(spooledScalars)}`);
    expect(spooledScalars).toEqual({ 'bigint-summary': 2, cyclic: 2, deep: 2 });
  });

  it('a malformed pre-computed histogram (bucketCounts not an array) does not lose the other records of its batch', async () => {
    const f = await openFacade('warn', root('bad-buckets'));
    f.tracker.log({ 'training/a': 1 }, { step: 1 });
    f.tracker.logHistogram(
      'training/h',
      { min: 0, max: 1, count: 1, sum: 1, sumSquares: 1, bucketLimits: [1], bucketCounts: null as unknown as number[] },
      { step: 1 },
    );
    f.tracker.log({ 'training/b': 2 }, { step: 2 });
    await f.tracker.close();
    const scalars = { tensorboard: tensorBoardCounts(f.dirs.tensorboard).scalar ?? 0, wandb: wandbCounts(f.dirs.wandb).history };
    console.log(`reliability: malformed histogram buckets between 2 scalars — scalars stored ${JSON.stringify(scalars)}`);
    expect(scalars).toEqual({ tensorboard: 2, wandb: 2 });
  });

  it("the facade's step counter: after step 2^53−1 or a rejected huge step, stepless log() calls are still accepted", async () => {
    const got: Record<string, number> = {};
    for (const step of [MAX_STEP, 2 ** 60, 1e300]) {
      const f = await openFacade('warn', root('step-counter'));
      f.tracker.log({ 'training/loss': 1 }, { step });
      const before = f.tracker.stats().accepted;
      for (let i = 0; i < 3; i++) f.tracker.log({ 'training/loss': 2 });
      got[String(step)] = f.tracker.stats().accepted - before;
      await f.tracker.close();
    }
    console.log(`reliability: stepless logs after an extreme step — 3 × 3 calls, accepted ${JSON.stringify(got)}`);
    expect(got).toEqual({ [String(MAX_STEP)]: 3, [String(2 ** 60)]: 3, [String(1e300)]: 3 });
  });

  it('core: a stepless log() after step 2^53−1 is not accepted at a step outside 0 … 2^53−1', async () => {
    const memory = new InMemoryExporter();
    const t = createTracker({ exporters: [memory], handleExit: false, logger: silent() });
    t.log({ 'training/loss': 1 }, { step: MAX_STEP });
    t.log({ 'training/loss': 2 });
    t.log({ 'training/loss': 3 });
    await t.close();
    const steps = memory.scalars().map((s) => s.step);
    expect(
      steps.filter((s) => s > MAX_STEP),
      `steps written: ${steps.join(', ')}`,
    ).toEqual([]);
  });

  it('TensorBoard: a config that refers to itself twice is written and close() resolves (no exponential blow-up)', async () => {
    const dir = root('cyclic-config');
    const out: Record<number, string> = {};
    for (const refs of [1, 2]) {
      // A small heap turns the blow-up into a quick out-of-memory exit; 60 s bounds a hang.
      const r = await runTsChild('./test/support/security-cyclic-child.ts', [join(dir, String(refs)), String(refs)], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        timeoutMs: 60_000,
        nodeArgs: ['--max-old-space-size=192'],
      });
      out[refs] =
        r.status === 0 && r.stdout.includes('closed')
          ? 'closed'
          : `status ${r.status} signal ${r.signal} ${/out of memory|heap/i.test(r.stderr) ? '(out of memory)' : r.stderr.slice(-200)}`;
    }
    console.log(`reliability: TensorBoard cyclic config with 1/2 self-references — ${JSON.stringify(out)}`);
    expect(out).toEqual({ 1: 'closed', 2: 'closed' });
    expect(walkFiles(join(dir, '1')).length).toBe(1);
  });

  it('TensorBoard: a long filenameSuffix still gives an event file (no ENAMETOOLONG retried until close)', async () => {
    const dir = root('long-suffix');
    const t = createTensorBoardTracker({
      logDir: dir,
      experiment: 'e',
      runName: 'r',
      filenameSuffix: '.' + 's'.repeat(250),
      handleExit: false,
      logger: silent(),
    });
    t.log({ 'training/loss': 1 }, { step: 0 });
    await t.close(undefined, { timeoutMs: 1_000 });
    const tb = t.stats().exporters[0]!;
    console.log(`reliability: TensorBoard 251-char file-name suffix — ${walkFiles(dir).length} event files, lastError ${tb.lastError?.slice(0, 60)}`);
    expect({ files: walkFiles(dir).length, failed: tb.failed }).toEqual({ files: 1, failed: 0 });
  });

  it('strict policy: a bad argument that is not a name or scalar problem throws a typed @metrics error naming the metric and rule', async () => {
    const t = createTracker({ exporters: [new InMemoryExporter()], handleExit: false, logger: silent(), validation: 'strict' });
    const calls: [string, () => void][] = [
      ['log(null)', () => t.log(null as unknown as Record<string, number>)],
      ['logHyperparams({ p: {} })', () => t.logHyperparams({ p: {} as unknown as number })],
      ['logHistogram(name, "x")', () => t.logHistogram('training/h', { length: 'x' } as unknown as number[])],
      ['logHistogram(name, [1n])', () => t.logHistogram('training/h', [1n] as unknown as number[])],
      ['logImage(name, 0×0)', () => t.logImage('training/i', { width: 0, height: 0, channels: 1, data: new Uint8Array(0) })],
      ['logText(name, null)', () => t.logText('training/t', null as unknown as string)],
      ['logConfig(0)', () => t.logConfig(0 as unknown as Record<string, unknown>)],
      ['logArtifact("")', () => t.logArtifact('')],
    ];
    const untyped: string[] = [];
    for (const [what, call] of calls) {
      try {
        call();
        untyped.push(`${what}: did not throw`);
      } catch (error) {
        if (!MetricsError.isInstance(error)) untyped.push(`${what}: ${(error as Error).name}`);
      }
    }
    await t.close();
    console.log(`reliability: strict policy on bad arguments — ${calls.length} calls, ${untyped.length} untyped: ${untyped.join('; ')}`);
    expect(untyped).toEqual([]);
  });
});
