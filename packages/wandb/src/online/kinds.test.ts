// The structured kinds through the online client against the loopback W&B server: table and audio files
// uploaded, chart presets in the run config's _wandb.visualize, tags and notes updated on the run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { createWandbTracker } from '../exporter.js';
import { startFakeWandbServer, type FakeWandbServer } from '../testing/fake-wandb-server.js';

let server: FakeWandbServer;
beforeEach(async () => {
  server = await startFakeWandbServer();
});
afterEach(() => server.close());

describe('online: structured kinds', () => {
  it('uploads tables and audio, sets the chart presets, updates tags and notes', async () => {
    const t = createWandbTracker({
      mode: 'online',
      apiKey: 'k'.repeat(40),
      baseUrl: server.url,
      project: 'kinds',
      runId: 'onkinds',
      tags: { seed: '1' },
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
      env: {},
      fileStream: { intervalMs: 20, heartbeatMs: 60_000 },
    });
    t.logTable('evaluation/predictions', { columns: ['id', 'label'], rows: [[1, 'cat']] }, { step: 1 });
    t.logConfusionMatrix('evaluation/confusion', { classNames: ['a', 'b'], actual: [0, 1], predicted: [1, 1] }, { step: 1 });
    t.logAudio('evaluation/speech', { sampleRate: 8000, channels: 1, samples: [0, 0.5] }, { step: 1 });
    t.setTags({ stage: 'eval' });
    t.setNote('Baseline');
    await t.close();
    expect(t.stats().exporters[0]).toMatchObject({ failed: 0, dropped: 0 });
    const run = server.runs.get('onkinds')!;
    expect(run).toMatchObject({ tags: ['seed:1', 'stage:eval'], notes: 'Baseline' });
    expect(JSON.stringify(run.config)).toContain('wandb/confusion_matrix/v1');
    const row = server.history('onkinds').find((r) => r['evaluation/predictions'])!;
    const table = row['evaluation/predictions'] as { _type: string; path: string };
    expect(table._type).toBe('table-file');
    expect(JSON.parse(server.uploads.get(`onkinds/${table.path}`)!.toString())).toEqual({ columns: ['id', 'label'], data: [[1, 'cat']] });
    const audio = server.history('onkinds').find((r) => r['evaluation/speech'])!['evaluation/speech'] as { _type: string; path: string };
    expect(audio._type).toBe('audio-file');
    expect(server.uploads.get(`onkinds/${audio.path}`)!.subarray(0, 4).toString()).toBe('RIFF');
    expect(server.history('onkinds').some((r) => r['evaluation/confusion_table'])).toBe(true);
  });
});
