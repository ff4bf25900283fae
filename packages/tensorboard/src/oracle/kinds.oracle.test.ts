/**
 * Real-tool proof for the structured kinds: TensorBoard's own plugins read our event file through its
 * Python data provider (the multiplexer, with its data-class migration): the pr_curves plugin's
 * `pr_curves_impl`, the audio plugin's route and blob read (decoded with Python's `wave`), and the text
 * plugin's tensors for tables, confusion matrices, tags and the note. Then the real `tensorboard` serves
 * them over HTTP, with its Rust data server and with the Python loader.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPython, startTensorBoard, type TensorBoard } from '@metrics/oracle';
import { createLogger } from '@metrics/core';
import { createTensorBoardTracker } from '../tracker.js';

const LONG = 10 * 60_000;
const RUN = 'exp/kinds';

const READ_WITH_PLUGINS = String.raw`
import sys, json, io, wave, urllib.parse
from tensorboard import context
from tensorboard.backend.event_processing import plugin_event_multiplexer, data_provider
from tensorboard.plugins import base_plugin
from tensorboard.plugins.pr_curve import pr_curves_plugin
from tensorboard.plugins.audio import audio_plugin
logdir, run = sys.argv[1], sys.argv[2]
mux = plugin_event_multiplexer.EventMultiplexer()
mux.AddRunsFromDirectory(logdir)
mux.Reload()
dp = data_provider.MultiplexerDataProvider(mux, logdir)
tb = base_plugin.TBContext(logdir=logdir, data_provider=dp, multiplexer=mux)
ctx = context.RequestContext()
out = {}
out['pr'] = pr_curves_plugin.PrCurvesPlugin(tb).pr_curves_impl(ctx, '', [run], 'evaluation/pr')[run]
plugin = audio_plugin.AudioPlugin(tb)
entries = plugin._audio_response_for_run(ctx, '', run, 'evaluation/speech', 0)
out['audio'] = []
for e in entries:
    key = urllib.parse.parse_qs(e['query'])['blob_key'][0]
    w = wave.open(io.BytesIO(dp.read_blob(ctx, blob_key=key)))
    frames = w.readframes(w.getnframes())
    out['audio'].append({'step': e['step'], 'contentType': e['contentType'], 'rate': w.getframerate(), 'channels': w.getnchannels(),
                         'width': w.getsampwidth(), 'frames': w.getnframes(),
                         'samples': [int.from_bytes(frames[i:i+2], 'little', signed=True) for i in range(0, len(frames), 2)]})
text = dp.read_tensors(ctx, experiment_id='', plugin_name='text', run_tag_filter=None, downsample=1000)[run]
out['text'] = {tag: [[d.step, d.numpy.item().decode()] for d in data] for tag, data in text.items()}
print(json.dumps(out))
`;

interface PrEntry {
  step: number;
  precision: number[];
  recall: number[];
  thresholds: number[];
  true_positives: number[];
  false_positives: number[];
  true_negatives: number[];
  false_negatives: number[];
}
interface Read {
  pr: PrEntry[];
  audio: { step: number; contentType: string; rate: number; channels: number; width: number; frames: number; samples: number[] }[];
  text: Record<string, [number, string][]>;
}

let logDir: string;
let read: Read;

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'tb-kinds-'));
  const tracker = createTensorBoardTracker({ logDir, experiment: 'exp', runName: 'kinds', handleExit: false, logger: createLogger({ level: 'silent' }) });
  tracker.logTable(
    'evaluation/predictions',
    {
      columns: ['id', 'label', 'score'],
      rows: [
        [1, 'cat', 0.9],
        [2, 'dog|wolf', null],
      ],
    },
    { step: 1 },
  );
  tracker.logPrCurve('evaluation/pr', { labels: [1, 0, 1, 1, 0], predictions: [0.9, 0.8, 0.6, 0.3, 0.1], numThresholds: 11 }, { step: 2 });
  tracker.logConfusionMatrix(
    'evaluation/confusion',
    { classNames: ['cat', 'dog'], actual: [0, 0, 1, 1, 1], predicted: ['cat', 'dog', 'dog', 'dog', 'cat'] },
    { step: 2 },
  );
  tracker.logAudio('evaluation/speech', { sampleRate: 8000, channels: 2, samples: [0, 0.5, -0.5, 1, -1, 0.25] }, { step: 3, caption: 'a clip' });
  tracker.setTags({ stage: 'eval' });
  tracker.setTags({ owner: 'ana' });
  tracker.setNote('Baseline **run**');
  const report = await tracker.close();
  expect(report.ok).toBe(true);
  expect(tracker.stats()).toMatchObject({ skipped: 0, exporters: [{ failed: 0, dropped: 0, unsupported: 0 }] });
  read = await runPython<Read>(READ_WITH_PLUGINS, { args: [logDir, RUN], timeoutMs: 5 * 60_000 });
}, LONG);

afterAll(() => {
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

describe('TensorBoard plugins read the structured kinds', () => {
  it('PR curve: the pr_curves plugin serves our TP/FP/TN/FN, precision and recall per threshold', () => {
    expect(read.pr).toHaveLength(1);
    const [curve] = read.pr;
    expect(curve!.step).toBe(2);
    // Threshold 0 and 0.1: everything positive (3 TP, 2 FP); 0.5: 0.9, 0.8, 0.6 positive (2 TP, 1 FP, 1 TN, 1 FN).
    expect(curve!.true_positives.slice(0, 6)).toEqual([3, 3, 3, 3, 2, 2]);
    expect(curve!.false_positives.slice(0, 6)).toEqual([2, 2, 1, 1, 1, 1]);
    expect(curve!.true_negatives.slice(0, 6)).toEqual([0, 0, 1, 1, 1, 1]);
    expect(curve!.false_negatives.slice(0, 6)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(curve!.precision[5]).toBeCloseTo(2 / 3, 6);
    expect(curve!.recall[5]).toBeCloseTo(2 / 3, 6);
    expect(curve!.thresholds[5]).toBeCloseTo(0.5, 6);
  });

  it('audio: the audio plugin lists the clip as audio/wav and its blob is our 16-bit WAV', () => {
    expect(read.audio).toEqual([
      { step: 3, contentType: 'audio/wav', rate: 8000, channels: 2, width: 2, frames: 3, samples: [0, 16384, -16384, 32767, -32768, 8192] },
    ]);
  });

  it('table and confusion matrix as Markdown tables, tags (the whole set each time) and the note as text', () => {
    expect(read.text['evaluation/predictions']).toEqual([[1, '| id | label | score |\n|---|---|---|\n| 1 | cat | 0.9 |\n| 2 | dog\\|wolf |  |']]);
    expect(read.text['evaluation/confusion']).toEqual([[2, '| actual \\\\ predicted | cat | dog |\n|---|---|---|\n| cat | 1 | 1 |\n| dog | 1 | 2 |']]);
    expect(read.text.tags).toEqual([
      [0, '| tag | value |\n|---|---|\n| stage | eval |'],
      [1, '| tag | value |\n|---|---|\n| stage | eval |\n| owner | ana |'],
    ]);
    expect(read.text.note).toEqual([[0, 'Baseline **run**']]);
  });
});

describe.each([
  { loadFast: true, what: 'the Rust data server' },
  { loadFast: false, what: 'the Python loader' },
])('real TensorBoard with $what (--load_fast=$loadFast) serves them over HTTP', ({ loadFast }) => {
  let tb: TensorBoard;
  beforeAll(async () => {
    tb = await startTensorBoard(logDir, { loadFast });
    await tb.waitForRuns([RUN]);
  }, LONG);
  afterAll(async () => {
    await tb?.stop();
  });
  const q = (tag: string) => `run=${encodeURIComponent(RUN)}&tag=${encodeURIComponent(tag)}`;

  it('the PR curve (trailing thresholds without positive predictions trimmed, as TensorBoard does)', async () => {
    const pr = await waitFor(() => tb.getJson<Record<string, PrEntry[]>>(`/data/plugin/pr_curves/pr_curves?${q('evaluation/pr')}`));
    const [curve] = pr[RUN]!;
    expect(curve).toMatchObject({ step: 2, true_positives: [3, 3, 3, 3, 2, 2, 2, 1, 1, 1], false_positives: [2, 2, 1, 1, 1, 1, 1, 1, 1, 0] });
  });

  it('the audio clip as audio/wav, byte for byte our WAV', async () => {
    const list = await waitFor(() =>
      tb.getJson<{ step: number; query: string; contentType: string }[]>(`/data/plugin/audio/audio?${q('evaluation/speech')}&sample=0`),
    );
    expect(list).toHaveLength(1);
    const res = await fetch(`${tb.url}/data/plugin/audio/individualAudio?${list[0]!.query}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(bytes.readUInt32LE(24)).toBe(8000);
    expect(bytes.length).toBe(44 + 6 * 2);
  });

  it('tables, the confusion matrix, tags and the note as text', async () => {
    const text = await waitFor(() => tb.getJson<{ step: number; text: string }[]>(`/data/plugin/text/text?${q('evaluation/confusion')}`));
    expect(text[0]!.text).toContain('<table>');
    const tags = await tb.getJson<{ step: number; text: string }[]>(`/data/plugin/text/text?${q('tags')}`);
    expect(tags.map((t) => t.step)).toEqual([0, 1]);
    const note = await tb.getJson<{ step: number; text: string }[]>(`/data/plugin/text/text?${q('note')}`);
    expect(note[0]!.text).toContain('<strong>run</strong>');
  });
});

/** TensorBoard loads a logdir in the background: retry a request until it answers (bounded). */
async function waitFor<T>(get: () => Promise<T>, tries = 60): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await get();
    } catch (error) {
      if (i >= tries) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
