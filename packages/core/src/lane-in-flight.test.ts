import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTracker } from './tracker.js';
import { createLogger } from './logger.js';
import { InMemoryExporter } from './testing/in-memory-exporter.js';
import type { ExportResult, TrackingRecord } from './spec.js';

/** An in-memory backend that takes up to `maxInFlight` exports at once and watches how many overlap. */
class ConcurrentExporter extends InMemoryExporter {
  inFlight = 0;
  maxSeen = 0;
  /** Exports that overlapped one holding a non-scalar record (must stay 0). */
  orderViolations = 0;
  private aloneInFlight = false;
  constructor(
    readonly maxInFlight: number,
    private readonly delay: () => number,
  ) {
    super('concurrent');
  }
  override async export(batch: readonly TrackingRecord[]): Promise<ExportResult> {
    const alone = batch.some((r) => r.kind !== 'scalar');
    if (this.aloneInFlight || (alone && this.inFlight > 0)) this.orderViolations++;
    this.inFlight++;
    this.aloneInFlight ||= alone;
    this.maxSeen = Math.max(this.maxSeen, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.delay()));
      return await super.export(batch);
    } finally {
      this.inFlight--;
      if (alone) this.aloneInFlight = false;
    }
  }
}

const quiet = createLogger({ level: 'silent' });

describe('lane with several exports in flight (maxInFlight)', () => {
  it('keeps up to maxInFlight exports in flight, and exactly one when the exporter says nothing', async () => {
    for (const k of [1, 4]) {
      const exporter = new ConcurrentExporter(k, () => 20);
      const tracker = createTracker({ exporters: [exporter], handleExit: false, logger: quiet, batch: { maxBatchSize: 10 } });
      for (let i = 0; i < 200; i++) tracker.log({ 'training/loss': i }, { step: i });
      await tracker.close();
      expect(exporter.maxSeen).toBe(k);
      expect(exporter.count).toBe(200);
      expect(tracker.stats().exporters[0]).toMatchObject({ exported: 200, failed: 0, queued: 0 });
    }
  });

  it('exports a batch holding params alone, in the order logged', async () => {
    const exporter = new ConcurrentExporter(4, () => 5);
    const tracker = createTracker({ exporters: [exporter], handleExit: false, logger: quiet, batch: { maxBatchSize: 5 } });
    for (let i = 0; i < 200; i++) {
      tracker.log({ 'training/loss': i }, { step: i });
      if (i % 50 === 0) tracker.logHyperparams({ [`p${i}`]: i });
    }
    await tracker.close();
    expect(exporter.orderViolations).toBe(0);
    expect(exporter.maxSeen).toBe(4);
    const params = exporter.records.filter((r) => r.kind === 'hparams').map((r) => Object.keys((r as Extract<TrackingRecord, { kind: 'hparams' }>).params)[0]);
    expect(params).toEqual(Array.from({ length: 4 }, (_, j) => `p${j * 50}`));
    expect(exporter.count).toBe(204);
  });

  it('with a spool and random faults, every record arrives exactly once; never more than maxInFlight at once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.constantFrom('ok', 'fail', 'partial', 'throw'), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (k, script, count, batchSize, seed) => {
          let s = seed;
          const rand = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 3;
          const exporter = new ConcurrentExporter(k, rand);
          let call = 0;
          exporter.failWith = (batch): ExportResult => {
            const b = script[call++ % script.length]!;
            if (call > script.length * 3 || b === 'ok') return { ok: true };
            if (b === 'throw') throw new Error('exporter bug');
            if (b === 'fail' || batch.length < 2) return { ok: false, retryable: true, error: new Error('503'), retryAfterMs: 0 };
            const n = Math.floor(batch.length / 2);
            exporter.records.push(...batch.slice(0, n));
            exporter.count += n;
            return { ok: false, retryable: true, error: new Error('reset mid-batch'), remaining: batch.slice(n) };
          };
          const dir = mkdtempSync(join(tmpdir(), 'inflight-prop-'));
          const tracker = createTracker({
            exporters: [exporter],
            handleExit: false,
            logger: quiet,
            fullQueue: 'spill',
            spillDir: dir,
            batch: { maxBatchSize: batchSize, maxQueueSize: 3 * batchSize },
            retry: { initialDelayMs: 0, maxDelayMs: 0, deadlineMs: 5 },
          });
          for (let i = 0; i < count; i++) {
            tracker.log({ 'training/loss': i }, { step: i });
            if (i % 53 === 0) tracker.logHyperparams({ [`p${i}`]: i });
            if (i % 37 === 0) await new Promise((r) => setImmediate(r));
          }
          await tracker.flush();
          await tracker.close();
          const steps = exporter.scalars().map((p) => p.step);
          expect(steps.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
          const params = exporter.records
            .filter((r) => r.kind === 'hparams')
            .map((r) => Object.keys((r as Extract<TrackingRecord, { kind: 'hparams' }>).params)[0]);
          expect(params).toEqual(Array.from({ length: Math.ceil(count / 53) }, (_, j) => `p${j * 53}`));
          expect(exporter.maxSeen).toBeLessThanOrEqual(k);
          expect(exporter.orderViolations).toBe(0);
          expect(tracker.stats().exporters[0]).toMatchObject({ failed: 0, dropped: 0, queued: 0 });
          expect(readdirSync(dir)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
