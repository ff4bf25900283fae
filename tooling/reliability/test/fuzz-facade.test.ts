/**
 * Property-based fuzzing of every public entry point of the unified facade (TensorBoard + W&B offline +
 * MLflow without a server, i.e. spooling + an in-memory tracker), in the default policy (warn):
 * nothing throws, every call is accounted for in stats, close() resolves, and what was accepted is in
 * the files of every backend.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { anyCall, callArbitraries, FACADE_METHODS, type Call } from './support/security-inputs.js';
import { checkedWarnCall } from './support/security-calls.js';
import { checkAfterClose, openFacade, removeTree, tempRoot } from './support/security-harness.js';

const RUNS_PER_METHOD = 500;
const PROGRAMS = 150;
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

describe('facade fuzz, warn policy', () => {
  for (const method of FACADE_METHODS) {
    it(`${method}: ${RUNS_PER_METHOD} hostile calls never throw, are all counted, and land in every backend`, async () => {
      const root = tempRoot(`fuzz-${method}`);
      roots.push(root);
      const f = await openFacade('warn', root);
      let calls = 0;
      try {
        fc.assert(
          fc.property(callArbitraries[method] as fc.Arbitrary<Call>, (call) => {
            calls++;
            checkedWarnCall(f.tracker, call);
          }),
          { numRuns: RUNS_PER_METHOD, seed: 0x5eed + method.length },
        );
      } finally {
        await f.tracker.close();
      }
      const after = checkAfterClose(f);
      console.log(
        `reliability: facade fuzz ${method} — ${calls} calls, accepted ${after.stats.accepted}, skipped ${after.stats.skipped}; ` +
          `read back: TensorBoard ${JSON.stringify(after.tensorboard)}, W&B ${after.wandb.history + after.wandb.stats} values, ` +
          `MLflow spool ${after.spooled} records — held`,
      );
    });
  }

  it(`${PROGRAMS} random programs over all methods on fresh facades: close() resolves and everything adds up`, async () => {
    let calls = 0;
    let accepted = 0;
    let skipped = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(anyCall([...FACADE_METHODS]), { minLength: 3, maxLength: 30 }), fc.nat(3), async (program, flushEvery) => {
        const root = tempRoot('fuzz-program');
        const f = await openFacade('warn', root);
        try {
          for (const [i, call] of program.entries()) {
            calls++;
            checkedWarnCall(f.tracker, call);
            if (flushEvery > 0 && i % (flushEvery * 7) === 0) await f.tracker.flush({ timeoutMs: 10_000 });
          }
          await f.tracker.close();
          await f.tracker.close(); // idempotent
          // A call after close is ignored, and counted.
          const s = f.tracker.stats();
          f.tracker.log({ 'training/loss': 1 });
          expect(f.tracker.stats().skipped).toBe(s.skipped + 1);
          const after = checkAfterClose(f);
          accepted += after.stats.accepted;
          skipped += after.stats.skipped;
        } finally {
          // Closed before removal, also when a check failed: an open tracker would write again.
          await f.tracker.close(undefined, { timeoutMs: 2_000 });
          removeTree(root);
        }
      }),
      // Bounds the run (and the shrinking of a failure) on the 2-core CI machine.
      { numRuns: PROGRAMS, seed: 0xfacade, interruptAfterTimeLimit: 60_000 },
    );
    console.log(`reliability: facade fuzz programs — ${PROGRAMS} fresh facades, ${calls} calls, accepted ${accepted}, skipped ${skipped} — held`);
  });

  it('a stepless log() after any explicit steps (huge, fractional, NaN, negative) is still accepted', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(2 ** 53 - 1, 2 ** 53, 2 ** 60, 1e300, -1, 0.5)), { minLength: 1, maxLength: 5 }),
        async (steps) => {
          runs++;
          const root = tempRoot('fuzz-step');
          const f = await openFacade('warn', root);
          try {
            for (const step of steps) f.tracker.log({ 'training/loss': 1 }, { step });
            const before = f.tracker.stats().accepted;
            f.tracker.log({ 'training/loss': 2 });
            const took = f.tracker.stats().accepted - before;
            await f.tracker.close();
            expect({ steps, acceptedStepless: took, nextStep: f.tracker.step }).toMatchObject({ acceptedStepless: 1 });
          } finally {
            await f.tracker.close();
            removeTree(root);
          }
        },
      ),
      { numRuns: 100, seed: 7 },
    );
    console.log(`reliability: facade step counter after hostile steps — ${runs} sequences — held`);
  });
});
