/**
 * The structured kinds (`logTable`, `logPrCurve`, `logConfusionMatrix`, `logAudio`, `setTags`, `setNote`)
 * under hostile calls. Warn policy, on the facade (TensorBoard + W&B offline + MLflow spool + in-memory)
 * and on each standalone tracker: nothing throws but a wrong call shape, every call is counted, nothing is
 * lost, and every accepted record is in each backend's files. Strict policy: a call is accepted whole or
 * throws a typed @metrics error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidCallError, MetricsError, type PipelineStats, type Tracker } from '@metrics/core';
import { readSpool, type TrackingRecord } from '@metrics/core/backend';
import { describeCall } from './support/security-inputs.js';
import {
  anyKindCall,
  applyKindCall,
  isKindShapeError,
  KIND_METHODS,
  KIND_OF_METHOD,
  kindCallArbitraries,
  kindUnits,
  type KindCall,
} from './support/kinds-inputs.js';
import { openFacade, openStandalone, removeTree, tempRoot, tensorBoardCounts, wandbCounts, walkFiles } from './support/security-harness.js';

const RUNS_PER_METHOD = 300;
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

const describeKindCall = (call: KindCall) => describeCall(call as never);

/** Warn policy: no throw but InvalidCallError for a wrong shape; the call adds exactly its units. Returns the accepted delta. */
function checkedKindCall(t: { stats(): PipelineStats }, call: KindCall): number {
  const before = t.stats();
  try {
    applyKindCall(t, call);
  } catch (error) {
    if (!(isKindShapeError(call) && InvalidCallError.isInstance(error)))
      throw new Error(`${call.m} threw in warn policy: ${(error as Error)?.message} — call: ${describeKindCall(call)}`);
  }
  const after = t.stats();
  const accepted = after.accepted - before.accepted;
  expect({ units: accepted + after.skipped - before.skipped, call: describeKindCall(call) }, 'every call is counted').toEqual({
    units: kindUnits(call),
    call: describeKindCall(call),
  });
  return accepted;
}

const STRUCTURED = new Set(['table', 'pr_curve', 'confusion_matrix', 'audio', 'tags', 'note']);
const count = (records: readonly TrackingRecord[], kinds: readonly string[]) => records.filter((r) => kinds.includes(r.kind)).length;

function lane(stats: PipelineStats, name: string) {
  return stats.exporters.find((e) => e.name === name)!;
}

/** TensorBoard values of the structured kinds: each record is one summary value (text, PR tensor or audio tensor). */
function tensorBoardStructured(dir: string): number {
  const n = tensorBoardCounts(dir);
  expect(n.errors).toBe(0);
  return (n.text ?? 0) + (n.tensor ?? 0);
}

describe('structured kinds fuzz, warn policy', () => {
  for (const method of KIND_METHODS) {
    it(`facade ${method}: ${RUNS_PER_METHOD} hostile calls never throw, are all counted, and land in every backend`, async () => {
      const root = tempRoot(`fuzz-kinds-${method}`);
      roots.push(root);
      const f = await openFacade('warn', root);
      let calls = 0;
      try {
        fc.assert(
          fc.property(kindCallArbitraries[method] as fc.Arbitrary<KindCall>, (call) => {
            calls++;
            checkedKindCall(f.tracker, call);
          }),
          { numRuns: RUNS_PER_METHOD, seed: 0x71d5 + method.length },
        );
      } finally {
        await f.tracker.close();
      }
      const stats = f.tracker.stats();
      const records = f.memory.records;
      expect(records.length).toBe(stats.accepted);
      expect(records.every((r) => STRUCTURED.has(r.kind))).toBe(true);
      for (const name of ['tensorboard', 'wandb']) {
        const l = lane(stats, name);
        expect({ name, failed: l.failed, dropped: l.dropped, queued: l.queued, unsupported: l.unsupported, lastError: l.lastError }).toEqual({
          name,
          failed: 0,
          dropped: 0,
          queued: 0,
          unsupported: 0,
          lastError: undefined,
        });
        expect(l.exported).toBe(stats.accepted);
      }
      expect(tensorBoardStructured(f.dirs.tensorboard), 'one TensorBoard value per accepted record').toBe(stats.accepted);
      const wb = wandbCounts(f.dirs.wandb);
      expect(wb.damage).toBe(0);
      expect(wb.history, 'one W&B history value per table, curve, matrix and clip').toBe(count(records, ['table', 'pr_curve', 'confusion_matrix', 'audio']));
      const ml = lane(stats, 'mlflow');
      let spooled = 0;
      for (const file of walkFiles(f.dirs.spool)) spooled += readSpool(file).records.length;
      expect({ spilled: ml.spilled, spooled, unsupported: ml.unsupported }).toEqual({ spilled: stats.accepted, spooled: stats.accepted, unsupported: 0 });
      console.log(
        `reliability: facade fuzz ${method} — ${calls} calls, accepted ${stats.accepted}, skipped ${stats.skipped}; ` +
          'in TensorBoard, W&B and the MLflow spool — held',
      );
    });
  }

  for (const kind of ['tensorboard', 'wandb', 'mlflow'] as const) {
    it(`standalone ${kind}: 600 hostile calls over the six methods are counted and stored`, async () => {
      const root = tempRoot(`fuzz-kinds-${kind}`);
      roots.push(root);
      const s = openStandalone(kind, 'warn', root);
      const accepted: Record<string, number> = {};
      try {
        fc.assert(
          fc.property(anyKindCall(), (call) => {
            const n = checkedKindCall(s.tracker, call);
            if (n > 0) accepted[KIND_OF_METHOD[call.m]] = (accepted[KIND_OF_METHOD[call.m]] ?? 0) + n;
          }),
          { numRuns: 600, seed: 0xc0de + kind.length },
        );
      } finally {
        await s.tracker.close();
      }
      const stats = s.tracker.stats();
      const l = lane(stats, kind);
      // MLflow without a server spools everything (its lastError says so); the others write it all.
      expect({ failed: l.failed, dropped: l.dropped, unsupported: l.unsupported, lastError: kind === 'mlflow' ? undefined : l.lastError }).toEqual({
        failed: 0,
        dropped: 0,
        unsupported: 0,
        lastError: undefined,
      });
      const total = Object.values(accepted).reduce((a, b) => a + b, 0);
      expect(total).toBe(stats.accepted);
      if (kind === 'tensorboard') expect(tensorBoardStructured(s.dir)).toBe(total);
      if (kind === 'wandb') expect(wandbCounts(s.dir).history).toBe(total - (accepted.tags ?? 0) - (accepted.note ?? 0));
      if (kind === 'mlflow') {
        let spooled = 0;
        for (const file of walkFiles(s.dir)) spooled += readSpool(file).records.length;
        expect(spooled).toBe(total);
      }
      console.log(`reliability: standalone ${kind} kinds fuzz — 600 calls, accepted ${JSON.stringify(accepted)}, skipped ${stats.skipped} — held`);
    });
  }
});

describe('structured kinds fuzz, strict policy', () => {
  it(`core tracker: ${RUNS_PER_METHOD * 2} hostile calls are accepted whole or throw a typed error`, async () => {
    const root = tempRoot('fuzz-kinds-strict');
    roots.push(root);
    const s = openStandalone('core', 'strict', root);
    let thrown = 0;
    try {
      fc.assert(
        fc.property(anyKindCall(), (call) => {
          const before = s.tracker.stats();
          try {
            applyKindCall(s.tracker as Tracker, call);
          } catch (error) {
            thrown++;
            expect(MetricsError.isInstance(error), `${(error as Error)?.message} — ${describeKindCall(call)}`).toBe(true);
          }
          const after = s.tracker.stats();
          expect(after.skipped - before.skipped, `strict never skips: ${describeKindCall(call)}`).toBe(0);
        }),
        { numRuns: RUNS_PER_METHOD * 2, seed: 0x57 },
      );
    } finally {
      await s.tracker.close();
    }
    expect(s.memory!.records.length).toBe(s.tracker.stats().accepted);
    console.log(`reliability: strict kinds fuzz — ${RUNS_PER_METHOD * 2} calls, accepted ${s.tracker.stats().accepted}, typed errors ${thrown} — held`);
  });
});
