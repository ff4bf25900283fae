import { describe, expect, it } from 'vitest';
import { createTracker } from '../tracker.js';
import { createLogger } from '../logger.js';
import { sampleRecords } from './sample-records.js';
import { RECORD_KINDS, SPECIFICATION_VERSION, type ExporterV1, type RunInfo, type TrackingRecord } from '../spec.js';

export interface ConformanceSubject {
  exporter: ExporterV1;
  /** Reads back what the backend stored (scalars at least), for round-trip checks. Optional. */
  readScalars?: () => Promise<{ name: string; value: number; step: number }[]>;
  cleanup?: () => Promise<void>;
}

const run = (): RunInfo => ({
  experiment: 'conformance',
  runName: `run-${Math.random().toString(36).slice(2, 8)}`,
  tags: { suite: 'conformance' },
  startTime: Date.now(),
});

/**
 * The contract every exporter must meet, run by each backend package against itself:
 * identity, start → export → flush → shutdown, never throwing, idempotent shutdown, and (when the
 * subject can read back) the scalars that went in come out.
 */
export function runExporterConformance(name: string, makeSubject: () => Promise<ConformanceSubject>): void {
  describe(`exporter conformance: ${name}`, () => {
    it('declares spec v1, a lowercase name and known capabilities', async () => {
      const { exporter, cleanup } = await makeSubject();
      try {
        expect(exporter.specificationVersion).toBe(SPECIFICATION_VERSION);
        expect(exporter.name).toMatch(/^[a-z][a-z0-9_-]*$/);
        expect(exporter.capabilities.has('scalar')).toBe(true);
        for (const k of exporter.capabilities) expect(RECORD_KINDS).toContain(k);
      } finally {
        await cleanup?.();
      }
    });

    it('starts, exports every supported kind, flushes and shuts down without throwing', async () => {
      const { exporter, readScalars, cleanup } = await makeSubject();
      try {
        const started = await exporter.start(run());
        expect(started).toEqual({ ok: true });
        const result = await exporter.export(sampleRecords(exporter.capabilities));
        expect(result.ok ? 'ok' : `failed: ${result.error.message}`).toBe('ok');
        await exporter.forceFlush();
        expect(typeof exporter.runIds()).toBe('object');
        await exporter.shutdown({ status: 'finished' });
        if (readScalars) {
          const got = (await readScalars()).filter((s) => s.name === 'training/loss').sort((a, b) => a.step - b.step);
          expect(got.map((s) => [s.step, s.value])).toEqual([
            [0, 0.5],
            [1, 0.25],
          ]);
        }
      } finally {
        await cleanup?.();
      }
    });

    it('returns a result instead of throwing for an empty batch and for odd values', async () => {
      const { exporter, cleanup } = await makeSubject();
      try {
        await exporter.start(run());
        await expect(exporter.export([])).resolves.toMatchObject({ ok: expect.any(Boolean) });
        const odd: TrackingRecord[] = [
          { kind: 'scalar', name: 'training/loss', value: Number.NaN, step: 2, wallTime: Date.now() },
          { kind: 'scalar', name: 'training/loss', value: Number.POSITIVE_INFINITY, step: 3, wallTime: Date.now() },
          { kind: 'scalar', name: 'training/loss', value: -0, step: 2 ** 40, wallTime: Date.now() },
        ];
        await expect(exporter.export(odd)).resolves.toMatchObject({ ok: expect.any(Boolean) });
        await exporter.shutdown({ status: 'finished' });
      } finally {
        await cleanup?.();
      }
    });

    it('delivers a whole run through the shared pipeline', async () => {
      const { exporter, readScalars, cleanup } = await makeSubject();
      try {
        const lines: string[] = [];
        const tracker = createTracker({
          exporters: [exporter],
          experiment: 'conformance',
          runName: `pipeline-${Math.random().toString(36).slice(2, 8)}`,
          handleExit: false,
          logger: createLogger({ sink: (_l, line) => lines.push(line) }),
        });
        for (let step = 0; step < 50; step++) tracker.log({ 'training/loss': 1 / (step + 1) }, { step });
        await tracker.close();
        const stats = tracker.stats();
        expect(stats.accepted).toBe(50);
        expect(stats.exporters[0]).toMatchObject({ exported: 50, failed: 0, dropped: 0 });
        if (readScalars) {
          const got = (await readScalars()).filter((s) => s.name === 'training/loss');
          expect(got).toHaveLength(50);
        }
      } finally {
        await cleanup?.();
      }
    });
  });
}
