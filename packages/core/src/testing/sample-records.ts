import type { HistogramRecord, RunInfo, TrackingRecord } from '../spec.js';
import { encodeWav } from '../media/wav.js';
import { prCurvePoints } from '../processing/curves.js';

/** One record of every kind the exporter says it supports. */
export function sampleRecords(kinds: ReadonlySet<string>): TrackingRecord[] {
  const t = Date.now();
  const all: TrackingRecord[] = [
    { kind: 'config', wallTime: t, config: { lr: 0.01, layers: [8, 4], optimizer: { name: 'sgd' } } },
    { kind: 'hparams', wallTime: t, params: { lr: 0.01, batch_size: 32, optimizer: 'sgd', shuffle: true }, metrics: ['training/loss'] },
    { kind: 'scalar', name: 'training/loss', value: 0.5, step: 0, wallTime: t },
    { kind: 'scalar', name: 'training/loss', value: 0.25, step: 1, wallTime: t + 1 },
    { kind: 'scalar', name: 'training/accuracy', value: 0.75, step: 1, wallTime: t + 1 },
    { kind: 'histogram', name: 'model/weights', values: [0.1, 0.2, 0.2, 0.5, -1], step: 1, wallTime: t + 1 },
    {
      kind: 'image',
      name: 'evaluation/sample',
      image: { width: 2, height: 2, channels: 3, data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]) },
      step: 1,
      wallTime: t + 1,
    },
    { kind: 'text', name: 'model/summary', text: '# Model\n\n| layer | units |\n|---|---|\n| dense | 8 |', step: 1, wallTime: t + 1 },
    { kind: 'summary', wallTime: t + 2, values: { 'training/loss': 0.25, 'evaluation/verdict': 'ok' } },
    {
      kind: 'table',
      name: 'evaluation/predictions',
      columns: ['id', 'label', 'score'],
      rows: [
        [1, 'cat', 0.9],
        [2, 'dog', null],
      ],
      step: 1,
      wallTime: t + 1,
    },
    { kind: 'pr_curve', name: 'evaluation/pr', ...prCurvePoints([1, 0, 1], [0.9, 0.4, 0.6], 5), step: 1, wallTime: t + 1 },
    {
      kind: 'confusion_matrix',
      name: 'evaluation/confusion',
      classNames: ['cat', 'dog'],
      counts: [
        [2, 1],
        [0, 3],
      ],
      step: 1,
      wallTime: t + 1,
    },
    {
      kind: 'audio',
      name: 'evaluation/speech',
      sampleRate: 8000,
      channels: 1,
      frames: 3,
      wav: encodeWav([0, 0.5, -0.5], 8000, 1).wav,
      step: 1,
      wallTime: t + 1,
    },
    { kind: 'tags', wallTime: t + 2, tags: { stage: 'eval' } },
    { kind: 'note', wallTime: t + 2, text: 'A **note**' },
    {
      kind: 'dataset',
      wallTime: t + 2,
      name: 'iris',
      digest: 'a1b2c3d4',
      source: 'https://example.com/iris.csv',
      sourceType: 'http',
      schema: [{ name: 'sepal_length', type: 'double' }],
      profile: { num_rows: 150 },
      context: 'training',
      tags: {},
    },
  ];
  return all.filter((r) => kinds.has(r.kind));
}

/** A RunInfo for exporter tests: a new run of experiment `exp`, now. */
export function testRunInfo(experiment = 'exp', runName = 'r1'): RunInfo {
  return { experiment, runName, tags: {}, startTime: Date.now() };
}

/** A histogram record with the given (possibly malformed, for bad-record tests) buckets. */
export function histogramRecord(name: string, step: number, buckets: unknown): HistogramRecord {
  return { kind: 'histogram', name, step, wallTime: Date.now(), buckets: buckets as HistogramRecord['buckets'] };
}

/** What `call` throws (undefined when it returns): for asserting on the error itself. */
export function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}
