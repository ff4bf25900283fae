// The structured kinds against a real `mlflow server`, read back with the MLflow Python client:
// `mlflow.load_table` for tables, PR curves and confusion matrices, the artifact for audio (decoded with
// Python's `wave`), run tags and the note (`mlflow.note.content`).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confusionCounts, prCurvePoints, renderConfusionMatrix, renderPrCurve } from '@metrics/core/backend';
import { runPython, startMlflowServer } from '@metrics/oracle';
import { createMlflowTracker } from '../src/index.js';

type Server = Awaited<ReturnType<typeof startMlflowServer>>;
let server: Server;
let read: Read;
let runId: string;

interface Read {
  experiment: string;
  tables: Record<string, { columns: string[]; data: unknown[][] }>;
  logged: { path: string; type: string }[];
  audio: { rate: number; channels: number; frames: number; samples: number[] };
  tags: Record<string, string>;
  images: Record<string, { size: number[]; mode: string; sha256: string }>;
}

const READ = `import sys, json, io, wave, tempfile, os
import mlflow
from mlflow.tracking import MlflowClient
uri, rid = sys.argv[1], sys.argv[2]
mlflow.set_tracking_uri(uri)
c = MlflowClient(tracking_uri=uri)
run = c.get_run(rid)
exp = run.info.experiment_id
mlflow.set_experiment(experiment_id=exp)
tables = {}
for path in sys.argv[3:]:
    df = mlflow.load_table(path, run_ids=[rid])
    tables[path] = {'columns': list(df.columns), 'data': json.loads(df.to_json(orient='values', double_precision=15))}
d = tempfile.mkdtemp()
w = wave.open(c.download_artifacts(rid, 'audio/evaluation/speech/step_3.wav', d))
frames = w.readframes(w.getnframes())
audio = {'rate': w.getframerate(), 'channels': w.getnchannels(), 'frames': w.getnframes(),
         'samples': [int.from_bytes(frames[i:i+2], 'little', signed=True) for i in range(0, len(frames), 2)]}
import hashlib
from PIL import Image
images = {}
for f in c.list_artifacts(rid, 'images'):
    if f.path.endswith('.png'):
        im = Image.open(c.download_artifacts(rid, f.path, d))
        images[f.path.split('+')[0]] = {'size': list(im.size), 'mode': im.mode, 'sha256': hashlib.sha256(im.tobytes()).hexdigest()}
print(json.dumps({'images': images, 'experiment': exp, 'tables': tables, 'logged': json.loads(run.data.tags['mlflow.loggedArtifacts']), 'audio': audio,
                  'tags': {k: v for k, v in run.data.tags.items() if not k.startswith('mlflow.') or k in ('mlflow.note.content', 'mlflow.loggedImages')}}))`;

const TABLE = 'tables/evaluation/predictions/step_1.json';
const PR = 'tables/evaluation/pr/step_2.json';
const CM = 'tables/evaluation/confusion/step_2.json';

beforeAll(async () => {
  server = await startMlflowServer();
  const tracker = createMlflowTracker({ trackingUri: server.url, experiment: 'kinds', runName: 'kinds', handleExit: false, logLevel: 'silent', env: {} });
  tracker.logTable(
    'evaluation/predictions',
    {
      columns: ['id', 'label', 'score'],
      rows: [
        [1, 'cat', 0.9],
        [2, 'dog', Number.NaN],
      ],
    },
    { step: 1 },
  );
  tracker.logPrCurve('evaluation/pr', { labels: [true, false, true, true, false], predictions: [0.9, 0.8, 0.6, 0.3, 0.1], numThresholds: 3 }, { step: 2 });
  tracker.logConfusionMatrix('evaluation/confusion', { classNames: ['cat', 'dog'], actual: [0, 0, 1, 1, 1], predicted: [0, 1, 1, 1, 0] }, { step: 2 });
  tracker.logAudio('evaluation/speech', { sampleRate: 16000, channels: 1, samples: [0, 0.5, -1] }, { step: 3 });
  tracker.setTags({ stage: 'eval', owner: 'ana' });
  tracker.setTags({ stage: 'final' });
  tracker.setNote('Baseline **run**');
  await tracker.flush();
  runId = tracker.runHandle().runIds.mlflow!.runId!;
  const report = await tracker.close();
  expect(report.ok).toBe(true);
  expect(tracker.stats()).toMatchObject({ skipped: 0, exporters: [{ failed: 0, dropped: 0, unsupported: 0 }] });
  read = await runPython<Read>(READ, { args: [server.url, runId, TABLE, PR, CM], timeoutMs: 5 * 60_000 });
}, 10 * 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('MLflow reads the structured kinds', () => {
  it('tables: mlflow.load_table finds each through the mlflow.loggedArtifacts tag and reads our JSON', () => {
    expect(read.logged).toEqual([TABLE, PR, CM].map((path) => ({ path, type: 'table' })));
    expect(read.tables[TABLE]).toEqual({
      columns: ['id', 'label', 'score'],
      data: [
        [1, 'cat', 0.9],
        [2, 'dog', null],
      ],
    });
  });

  it('PR curve: one row per threshold with precision, recall and the four counts', () => {
    const t = read.tables[PR]!;
    expect(t.columns).toEqual(['threshold', 'precision', 'recall', 'true_positives', 'false_positives', 'true_negatives', 'false_negatives']);
    // Thresholds 0, 0.5, 1: everything positive; 0.9, 0.8, 0.6 positive; nothing at or above 1.
    // pandas prints at most 15 significant digits.
    const rounded = (rows: unknown[][]) => rows.map((r) => r.map((v) => (typeof v === 'number' ? Number(v.toFixed(9)) : v)));
    expect(rounded(t.data)).toEqual(
      rounded([
        [0, 0.6, 1, 3, 2, 0, 0],
        [0.5, 2 / 3, 2 / 3, 2, 1, 1, 1],
        [1, 0, 0, 0, 0, 2, 3],
      ]),
    );
  });

  it('confusion matrix: one row per (actual, predicted) pair', () => {
    expect(read.tables[CM]).toEqual({
      columns: ['actual', 'predicted', 'count'],
      data: [
        ['cat', 'cat', 1],
        ['cat', 'dog', 1],
        ['dog', 'cat', 1],
        ['dog', 'dog', 2],
      ],
    });
  });

  it("the PR curve and the confusion matrix also as PNGs where log_image puts them (the run page's image gallery)", () => {
    // Pillow decodes each PNG to exactly the pixels we rendered (with the name as title, the class names).
    const pr = renderPrCurve(prCurvePoints([true, false, true, true, false], [0.9, 0.8, 0.6, 0.3, 0.1], 3), 'evaluation/pr');
    const cm = renderConfusionMatrix(confusionCounts(2, [0, 0, 1, 1, 1], [0, 1, 1, 1, 0]), ['cat', 'dog'], 'evaluation/confusion');
    const digest = (img: { data: ArrayLike<number> }) => createHash('sha256').update(Uint8Array.from(img.data)).digest('hex');
    expect(read.images).toEqual({
      'images/evaluation~pr': { size: [pr.width, pr.height], mode: 'RGB', sha256: digest(pr) },
      'images/evaluation~confusion': { size: [cm.width, cm.height], mode: 'RGB', sha256: digest(cm) },
    });
    expect(cm.width).toBeGreaterThan(100);
    expect(read.tags['mlflow.loggedImages']).toBe('True');
  });

  it('audio: a 16-bit PCM WAV artifact', () => {
    expect(read.audio).toEqual({ rate: 16000, channels: 1, frames: 3, samples: [0, 16384, -32768] });
  });

  it('tags set during the run (the later value wins) and the note as mlflow.note.content', () => {
    expect(read.tags).toMatchObject({ stage: 'final', owner: 'ana', 'mlflow.note.content': 'Baseline **run**' });
  });
});
