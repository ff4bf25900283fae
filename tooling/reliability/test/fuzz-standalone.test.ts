/**
 * The standalone trackers under the same hostile calls, default policy (warn): `createTensorBoardTracker`,
 * `createWandbTracker` (offline), `createMlflowTracker` without a server (spool) and a bare core tracker.
 * Nothing throws, every call is counted, close() resolves, and the backend's files hold what was accepted.
 */
import { afterAll, describe, it } from 'vitest';
import fc from 'fast-check';
import { anyCall, CORE_METHODS } from './support/security-inputs.js';
import { checkedWarnCall } from './support/security-calls.js';
import { checkStandaloneAfterClose, countAccepted, openStandalone, removeTree, tempRoot, type StandaloneKind } from './support/security-harness.js';

const CALLS = 1000;
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

describe('standalone trackers fuzz, warn policy', () => {
  for (const kind of ['core', 'tensorboard', 'wandb', 'mlflow'] as StandaloneKind[]) {
    it(`${kind}: ${CALLS} hostile calls over every method never throw, are all counted, and are stored`, async () => {
      const root = tempRoot(`standalone-${kind}`);
      roots.push(root);
      const s = openStandalone(kind, 'warn', root);
      try {
        fc.assert(
          fc.property(anyCall([...CORE_METHODS]), (call) => {
            countAccepted(s.accepted, call, checkedWarnCall(s.tracker, call));
          }),
          { numRuns: CALLS, seed: 0xa11 + kind.length },
        );
      } finally {
        await s.tracker.close();
      }
      const { stats, stored } = checkStandaloneAfterClose(s);
      console.log(
        `reliability: standalone ${kind} fuzz — ${CALLS} calls, accepted ${stats.accepted} ${JSON.stringify(s.accepted)}, skipped ${stats.skipped}, ` +
          `stored ${stored} — held`,
      );
    });
  }
});
