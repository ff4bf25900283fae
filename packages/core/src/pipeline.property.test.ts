import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTracker } from './tracker.js';
import { createLogger } from './logger.js';
import { InMemoryExporter } from './testing/in-memory-exporter.js';
import type { ExportResult, TrackingRecord } from './spec.js';

type Behaviour = { kind: 'ok' } | { kind: 'fail' } | { kind: 'partial'; delivered: number } | { kind: 'throw' };

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.constant<Behaviour>({ kind: 'ok' }),
  fc.constant<Behaviour>({ kind: 'fail' }),
  fc.constant<Behaviour>({ kind: 'throw' }),
  fc.integer({ min: 0, max: 50 }).map((delivered): Behaviour => ({ kind: 'partial', delivered })),
);

describe('pipeline under random faults (property)', () => {
  it('with a spool, every record arrives exactly once and in order, whatever the backend does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(behaviour, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 50 }),
        async (script, count, batchSize) => {
          const exporter = new InMemoryExporter();
          let call = 0;
          exporter.failWith = (batch: readonly TrackingRecord[]): ExportResult => {
            const b = script[call++ % script.length]!;
            if (call > script.length * 3) return { ok: true }; // the backend recovers in the end
            if (b.kind === 'ok') return { ok: true };
            if (b.kind === 'throw') throw new Error('exporter bug');
            if (b.kind === 'fail') return { ok: false, retryable: true, error: new Error('503'), retryAfterMs: 0 };
            const n = Math.min(b.delivered, batch.length - 1);
            if (n <= 0) return { ok: false, retryable: true, error: new Error('reset') };
            exporter.records.push(...batch.slice(0, n));
            exporter.count += n;
            return { ok: false, retryable: true, error: new Error('reset mid-batch'), remaining: batch.slice(n) };
          };
          const dir = mkdtempSync(join(tmpdir(), 'prop-'));
          const tracker = createTracker({
            exporters: [exporter],
            handleExit: false,
            logger: createLogger({ level: 'silent' }),
            fullQueue: 'spill',
            spillDir: dir,
            batch: { maxBatchSize: batchSize, maxQueueSize: 3 * batchSize },
            retry: { initialDelayMs: 0, maxDelayMs: 0, deadlineMs: 5 },
          });
          for (let i = 0; i < count; i++) {
            tracker.log({ 'training/loss': i }, { step: i });
            if (i % 37 === 0) await new Promise((r) => setImmediate(r));
          }
          await tracker.flush();
          await tracker.close();
          expect(exporter.scalars().map((s) => s.step)).toEqual(Array.from({ length: count }, (_, i) => i));
          const stats = tracker.stats().exporters[0]!;
          expect(stats).toMatchObject({ exported: count, failed: 0, dropped: 0, queued: 0 });
          expect(readdirSync(dir)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
