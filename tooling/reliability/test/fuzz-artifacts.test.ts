/**
 * `logArtifact` under hostile calls on a W&B offline tracker: artifact names, types, aliases and artifact
 * paths from the nasty-name list and random strings, wrong option shapes, missing and odd local paths.
 * Warn policy: nothing throws but InvalidCallError for a wrong shape, every call is counted once (accepted
 * or skipped), and every accepted artifact is an `artifact` record in the log, or counted as failed by the
 * exporter (a file that cannot be read, a path that leaves the artifact), never lost silently. Strict
 * policy: a call is accepted or throws a typed @metrics error.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger, InvalidCallError, MetricsError } from '@metrics/core';
import { createWandbTracker, readWandbFile } from '@metrics/wandb';
import { NASTY_NAMES } from './support/security-inputs.js';
import { removeTree, tempRoot } from './support/security-harness.js';

const RUNS = 300;
const root = tempRoot('fuzz-artifacts');
afterAll(() => removeTree(root));

const files = join(root, 'files');
mkdirSync(join(files, 'model', 'sub'), { recursive: true });
writeFileSync(join(files, 'model', 'w.bin'), 'w');
writeFileSync(join(files, 'model', 'sub', 'cfg.json'), '{}');
writeFileSync(join(files, 'data.csv'), 'x\n1\n');

const text = fc.oneof(
  fc.constantFrom(...NASTY_NAMES),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('model', 'dataset', 'best', 'v1', 'job', 'wandb-x', 'a:b'),
);
// Local paths stay inside the sandbox (a hostile string is a missing file's name there, never a directory to walk).
const localPath = fc.oneof(
  fc.constantFrom(join(files, 'model'), join(files, 'data.csv'), join(files, 'missing.bin'), files, '', '\u0000', '/dev/null', `${files}/`),
  text.map((s) => join(files, `missing-${encodeURIComponent(s)}`)),
);
/** Options as a JS caller might pass them: mostly well-shaped, sometimes not. */
const options = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ artifactPath: text, type: text, name: text, aliases: fc.array(text, { maxLength: 3 }), input: fc.boolean() }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 5, 'model', [], { alias: ['x'] }, { aliases: 'best' }, { input: 1 }, { name: 3 }) },
);
const isShapeError = (o: unknown) =>
  o !== undefined &&
  (typeof o !== 'object' ||
    o === null ||
    Array.isArray(o) ||
    Object.entries(o).some(
      ([k, v]) =>
        !['artifactPath', 'type', 'name', 'aliases', 'input'].includes(k) ||
        (v !== undefined && (k === 'aliases' ? !Array.isArray(v) : k === 'input' ? typeof v !== 'boolean' : typeof v !== 'string')),
    ));

describe('logArtifact on W&B under hostile calls', () => {
  it(`warn: ${RUNS} calls never throw but for a wrong shape, are counted once, and land in the log or are counted failed`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(localPath, options), { minLength: 1, maxLength: 6 }), async (calls) => {
        const dir = join(root, `warn-${++n}`);
        const t = createWandbTracker({ mode: 'offline', dir, runId: `fz${n}`, handleExit: false, logger: createLogger({ level: 'silent' }), env: {} });
        let shaped = 0;
        for (const [path, o] of calls) {
          const before = t.stats();
          try {
            t.logArtifact(path as string, o as never);
            shaped++;
          } catch (error) {
            expect(InvalidCallError.isInstance(error) && isShapeError(o), `threw ${(error as Error).message} for ${JSON.stringify(o)}`).toBe(true);
            continue;
          }
          const after = t.stats();
          expect(after.accepted + after.skipped - before.accepted - before.skipped, JSON.stringify([path, o])).toBe(1);
        }
        await t.close();
        const stats = t.stats();
        const lane = stats.exporters[0]!;
        const log = readWandbFile(wandbFile(dir)).records.filter((r) => r.type === 'artifact');
        // Accepted = written + failed in the exporter; nothing dropped or left in a queue.
        expect(log.length + lane.failed, JSON.stringify(calls)).toBe(stats.accepted);
        expect(lane).toMatchObject({ dropped: 0, queued: 0 });
        expect(stats.accepted + stats.skipped).toBe(shaped);
      }),
      { numRuns: RUNS / 6 },
    );
    console.log(`reliability: W&B logArtifact fuzz — ${n} runs of up to 6 hostile calls, all counted, none lost — held`);
  });

  it(`strict: ${RUNS} calls are accepted or throw a typed error`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(localPath, options, async (path, o) => {
        const t = createWandbTracker({ mode: 'disabled', validation: 'strict', handleExit: false, logger: createLogger({ level: 'silent' }), env: {} });
        n++;
        try {
          t.logArtifact(path as string, o as never);
        } catch (error) {
          expect(MetricsError.isInstance(error), `${(error as Error)?.name}: ${(error as Error)?.message}`).toBe(true);
        }
        await t.close();
      }),
      { numRuns: RUNS },
    );
    console.log(`reliability: W&B logArtifact strict fuzz — ${n} hostile calls, each accepted or a typed error — held`);
  });
});

/** The run's `.wandb` file under `dir`. */
function wandbFile(dir: string): string {
  const wandbDir = join(dir, 'wandb');
  const run = readdirSync(wandbDir).find((d) => d.startsWith('offline-run-'))!;
  const file = readdirSync(join(wandbDir, run)).find((f) => f.endsWith('.wandb'))!;
  return join(wandbDir, run, file);
}
