/**
 * The structured kinds in an offline run, read by the real wandb: `wandb leet inspect` (its Go reader)
 * sees the history values, files and run updates as `wandb.Table`, `wandb.plot.*` and `wandb.Audio`
 * write them; `wandb sync` uploads them to a loopback W&B server (tables, WAV, chart presets in the
 * config, tags and notes set during the run).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { ensureVenv } from '@metrics/oracle';
import { createWandbTracker } from '../exporter.js';
import { startFakeWandbServer, type FakeWandbServer } from '../testing/fake-wandb-server.js';
import { leetInspect, runWandbCli, type InspectedRecord } from './tools.js';

const API_KEY = 'k'.repeat(40);
let server: FakeWandbServer;
let runDir: string;
let records: InspectedRecord[];

beforeAll(async () => {
  await ensureVenv();
  server = await startFakeWandbServer();
  const dir = mkdtempSync(join(tmpdir(), 'wandb-kinds-'));
  const tracker = createWandbTracker({
    mode: 'offline',
    dir,
    runId: 'kinds01',
    experiment: 'kinds-proj',
    tags: { seed: '1' },
    handleExit: false,
    logger: createLogger({ level: 'silent' }),
    env: {},
  });
  tracker.logTable(
    'evaluation/predictions',
    {
      columns: ['id', 'label', 'score'],
      rows: [
        [1, 'cat', 0.9],
        [2, 'dog', null],
      ],
    },
    { step: 1 },
  );
  tracker.logPrCurve('evaluation/pr', { labels: [1, 0, 1], predictions: [0.9, 0.4, 0.6], numThresholds: 3 }, { step: 2 });
  tracker.logConfusionMatrix('evaluation/confusion', { classNames: ['cat', 'dog'], actual: [0, 1, 1], predicted: [0, 0, 1] }, { step: 2 });
  tracker.logAudio('evaluation/speech', { sampleRate: 8000, channels: 1, samples: [0, 0.5, -1] }, { step: 3, caption: 'a clip' });
  tracker.setTags({ stage: 'eval' });
  tracker.setNote('Baseline **run**');
  await tracker.close();
  expect(tracker.stats()).toMatchObject({ skipped: 0, exporters: [{ failed: 0, dropped: 0, unsupported: 0 }] });
  const wandbDir = join(dir, 'wandb');
  runDir = join(wandbDir, readdirSync(wandbDir).find((n) => n.startsWith('offline-run-'))!);
  const inspected = await leetInspect(join(runDir, 'run-kinds01.wandb'));
  expect(inspected.run.code, inspected.run.stderr).toBe(0);
  records = inspected.records;
}, 900_000);

afterAll(() => server?.close());

/** The JSON value of `key` in the first history row that has it. */
function historyValue(key: string): Record<string, unknown> {
  for (const r of records) {
    if (r.type !== 'history') continue;
    const value = (r.history as { item: Record<string, unknown> }).item[key];
    if (value && typeof value === 'object') return value as Record<string, unknown>;
  }
  throw new Error(`no history value for ${key}`);
}

function tableFile(key: string): { columns: string[]; data: unknown[][] } {
  return JSON.parse(readFileSync(join(runDir, 'files', historyValue(key).path as string), 'utf8'));
}

describe('wandb leet inspect reads the structured kinds', () => {
  it('a table as a table-file whose JSON is wandb.Table\'s {"columns", "data"}', () => {
    expect(historyValue('evaluation/predictions')).toMatchObject({ _type: 'table-file', ncols: 3, nrows: 2, log_mode: 'IMMUTABLE' });
    expect(tableFile('evaluation/predictions')).toEqual({
      columns: ['id', 'label', 'score'],
      data: [
        [1, 'cat', 0.9],
        [2, 'dog', null],
      ],
    });
    const files = records.filter((r) => r.type === 'files').flatMap((r) => (r.files as { files: { path: string }[] }).files.map((f) => f.path));
    expect(files).toContain(historyValue('evaluation/predictions').path);
  });

  it('PR curve and confusion matrix: the <key>_table tables and the chart presets wandb.plot writes', () => {
    expect(tableFile('evaluation/pr_table')).toEqual({
      columns: ['class', 'precision', 'recall'],
      data: [
        ['positive', 2 / 3, 1],
        ['positive', 1, 1],
        ['positive', 0, 0],
      ],
    });
    expect(tableFile('evaluation/confusion_table')).toEqual({
      columns: ['Actual', 'Predicted', 'nPredictions'],
      data: [
        ['cat', 'cat', 1],
        ['cat', 'dog', 0],
        ['dog', 'cat', 1],
        ['dog', 'dog', 1],
      ],
    });
    const config = Object.assign({}, ...records.filter((r) => r.type === 'config').map((r) => (r.config as { update: object }).update));
    expect(config['_wandb.visualize.evaluation/pr']).toMatchObject({
      panel_type: 'Vega2',
      panel_config: { panelDefId: 'wandb/area-under-curve/v0', fieldSettings: { x: 'recall', y: 'precision', class: 'class' } },
    });
    expect(JSON.stringify(config['_wandb.visualize.evaluation/pr'])).toContain('"value":"evaluation/pr_table"');
    expect(config['_wandb.visualize.evaluation/confusion']).toMatchObject({ panel_config: { panelDefId: 'wandb/confusion_matrix/v1' } });
  });

  it('audio as an audio-file pointing at our WAV', () => {
    const audio = historyValue('evaluation/speech');
    expect(audio).toMatchObject({ _type: 'audio-file', caption: 'a clip', size: 50 });
    const wav = readFileSync(join(runDir, 'files', audio.path as string));
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(8000);
  });

  it('tags and notes set during the run as run records', () => {
    const runs = records.filter((r) => r.type === 'run').map((r) => r.run as { tags?: string[]; notes?: string });
    expect(runs[0]!.tags).toEqual(['seed:1']);
    expect(runs.at(-1)).toMatchObject({ tags: ['seed:1', 'stage:eval'], notes: 'Baseline **run**' });
  });
});

describe('wandb sync uploads them', () => {
  it('tables and WAV byte for byte, chart presets in the config, tags and notes on the run', async () => {
    const res = await runWandbCli(['sync', '--yes', runDir], { WANDB_BASE_URL: server.url, WANDB_API_KEY: API_KEY });
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    const run = server.runs.get('kinds01')!;
    expect(run).toMatchObject({ tags: ['seed:1', 'stage:eval'], notes: 'Baseline **run**' });
    expect(JSON.stringify(run.config)).toContain('wandb/confusion_matrix/v1');
    for (const key of ['evaluation/predictions', 'evaluation/pr_table', 'evaluation/confusion_table', 'evaluation/speech']) {
      const path = historyValue(key).path as string;
      const uploaded = server.uploads.get(`kinds01/${path}`);
      expect(uploaded, path).toBeDefined();
      expect(Buffer.compare(uploaded!, readFileSync(join(runDir, 'files', path)))).toBe(0);
    }
  }, 300_000);
});
