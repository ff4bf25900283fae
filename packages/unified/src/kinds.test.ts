import { describe, expect, it } from 'vitest';
import { createLogger, createTracker, type Tracker } from '@metrics/core';
import type { TrackingRecord } from '@metrics/core/backend';
import { InMemoryExporter } from '@metrics/core/test';
import { createExperimentTracker } from './index.js';
import { trackerAsExporter } from './define-tracker.js';

const OFF = { tensorboardLogging: false, mlflowLogging: false, wandbLogging: false } as const;
const silent = createLogger({ level: 'silent' });

/** Logs one of each structured kind through `t`. */
function logEveryKind(t: Tracker): void {
  t.logTable('evaluation/predictions', { columns: ['id', 'label'], rows: [[1, 'cat']] }, { step: 1 });
  t.logPrCurve('evaluation/pr', { labels: [1, 0, 1, 0, 1], predictions: [0.93, 0.41, 0.58, 0.07, 0.33], numThresholds: 7 }, { step: 1 });
  t.logConfusionMatrix('evaluation/confusion', { classNames: ['a', 'b'], actual: [0, 1, 1], predicted: ['b', 'b', 'a'] }, { step: 1 });
  t.logAudio('evaluation/speech', { sampleRate: 8000, channels: 2, samples: [0, 0.5, -1, 0.25] }, { step: 1, caption: 'clip' });
  t.setTags({ stage: 'eval' });
  t.setNote('A **note**');
  t.logDataset({ name: 'iris', source: 's3://bucket/iris.csv', schema: [{ name: 'x', type: 'double' }], context: 'training', tags: { split: 'train' } });
}

const structured = (records: readonly TrackingRecord[]) =>
  records.filter((r) => ['table', 'pr_curve', 'confusion_matrix', 'audio', 'tags', 'note', 'dataset'].includes(r.kind)).map(({ wallTime: _w, ...r }) => r);

describe('the facade forwards the structured kinds', () => {
  it('each method reaches the backends as the core tracker makes it', async () => {
    const memory = new InMemoryExporter();
    const facade = await createExperimentTracker({ ...OFF, trackers: [memory], logger: silent, env: {} });
    logEveryKind(facade);
    await facade.close();
    const direct = new InMemoryExporter();
    const core = createTracker({ exporters: [direct], handleExit: false, logger: silent });
    logEveryKind(core);
    await core.close();
    expect(structured(memory.records)).toHaveLength(7);
    expect(structured(memory.records)).toEqual(structured(direct.records));
  });

  it('a Tracker used as a backend gets inputs that give the same records', async () => {
    const inner = new InMemoryExporter();
    const innerTracker = createTracker({ exporters: [inner], handleExit: false, logger: silent });
    const outer = new InMemoryExporter();
    const tracker = createTracker({ exporters: [outer, trackerAsExporter(innerTracker, 'inner')], handleExit: false, logger: silent });
    logEveryKind(tracker);
    await tracker.close();
    expect(structured(inner.records)).toEqual(structured(outer.records));
  });
});
