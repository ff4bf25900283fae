import { describe, expect, it } from 'vitest';
import { histogramRecord, testRunInfo } from '@metrics/core/test';
import { useTempDirs } from '@metrics/core/test/vitest';
import { createLogger } from '@metrics/core';
import type { TrackingRecord } from '@metrics/core/backend';
import { createWandbExporter } from './exporter.js';
import { itemsToObject, readWandbFile } from './log/records.js';
import { bucketsProblem } from '@metrics/core/backend';
import { histogramValue } from './media/values.js';
import type { OfflineNative } from './offline/offline-exporter.js';
import { startFakeWandbServer } from './testing/fake-wandb-server.js';

const tempDir = useTempDirs('wandb-bad');
const run = () => testRunInfo();
const good = { min: 0, max: 2, count: 3, sum: 3, sumSquares: 5, bucketLimits: [1, 2], bucketCounts: [1, 2] };
const histogram = histogramRecord;
const scalar = (name: string, step: number): TrackingRecord => ({ kind: 'scalar', name, value: step, step, wallTime: Date.now() });

/** A batch with two scalars, a good histogram and three bad ones (two under the same name). */
function mixedBatch() {
  const bad = [
    histogram('training/bad', 1, { ...good, bucketCounts: null }),
    histogram('training/bad', 2, { ...good, bucketCounts: [1] }),
    histogram('training/odd', 3, { ...good, bucketLimits: [1, 'x'] }),
  ];
  const batch: TrackingRecord[] = [scalar('training/a', 1), bad[0]!, histogram('training/h', 2, good), bad[1]!, bad[2]!, scalar('training/b', 3)];
  return { bad, batch };
}

describe('W&B histogram values', () => {
  it('encodes good buckets and rejects malformed ones with the reason', () => {
    expect(bucketsProblem(good)).toBeUndefined();
    expect(histogramValue(histogram('h', 0, good))).toEqual({ _type: 'histogram', values: [1, 2], bins: [0, 1, 2] });
    for (const b of [
      { ...good, bucketCounts: null },
      { ...good, bucketCounts: [1] },
      { ...good, bucketCounts: [1, '2'] },
      { ...good, sum: '3' },
      { ...good, bucketLimits: [], bucketCounts: [] },
    ])
      expect(() => histogramValue(histogram('h', 0, b))).toThrow(/malformed histogram buckets: .+/);
  });
});

describe('W&B exporters: a malformed histogram in a batch', () => {
  it('offline: skips it with one warning per metric, writes the rest, and reports only it as failed', async () => {
    const warnings: string[] = [];
    const e = createWandbExporter({
      mode: 'offline',
      dir: tempDir(),
      env: {},
      logger: createLogger({ level: 'warn', sink: (_l, line) => warnings.push(line) }),
    });
    await e.start(run());
    const { bad, batch } = mixedBatch();
    const result = await e.export(batch);
    await e.shutdown({ status: 'finished' });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok ? [] : result.remaining).toEqual(bad);
    const rows = readWandbFile((e.native() as OfflineNative).wandbFile!)
      .records.filter((r) => r.type === 'history')
      .map((r) => itemsToObject(r.data.item));
    expect(rows.map((r) => Object.keys(r).filter((k) => k.startsWith('training/')))).toEqual([['training/a'], ['training/h'], ['training/b']]);
    const skipped = warnings.filter((w) => w.includes('skipped'));
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toMatch(/training\/bad.*bucketCounts/);
    expect(skipped[1]).toMatch(/training\/odd.*bucketLimits\[1\]/);
  });

  it('online: the other records reach the server', async () => {
    const server = await startFakeWandbServer();
    try {
      const e = createWandbExporter({
        mode: 'online',
        apiKey: 'k'.repeat(40),
        baseUrl: server.url,
        project: 'p',
        runId: 'bad1',
        env: {},
        fileStream: { intervalMs: 20, heartbeatMs: 60_000 },
        logger: createLogger({ level: 'silent' }),
      });
      expect(await e.start(run())).toEqual({ ok: true });
      const { bad, batch } = mixedBatch();
      const result = await e.export(batch);
      await e.shutdown({ status: 'finished' });
      expect(result.ok ? [] : result.remaining).toEqual(bad);
      expect(server.history('bad1').map((r) => Object.keys(r).filter((k) => k.startsWith('training/')))).toEqual([
        ['training/a'],
        ['training/h'],
        ['training/b'],
      ]);
    } finally {
      await server.close();
    }
  });
});
