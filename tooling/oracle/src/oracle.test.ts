import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureVenv, runPython, startMlflowServer, startTensorBoard, type MlflowServer } from './index.js';

// First use builds the virtualenv (~1.5 min with a warm pip cache, longer cold).
const INSTALL_MS = 20 * 60_000;
const SERVER_MS = 180_000;

describe('venv', () => {
  it(
    'imports the pinned real tools',
    async () => {
      const venv = await ensureVenv();
      const out = await runPython<Record<string, string>>(`
import json, mlflow, tensorboard, wandb, tensorboardX, tensorboard_data_server, google.protobuf
print("noise before the JSON line is fine")
print(json.dumps({"mlflow": mlflow.__version__, "tensorboard": tensorboard.__version__, "wandb": wandb.__version__,
                  "tensorboardX": tensorboardX.__version__, "protobuf": google.protobuf.__version__,
                  "data_server": tensorboard_data_server.server_binary()}))
`);
      process.stderr.write(`[@metrics/oracle] tool versions: ${JSON.stringify(out)}\n`);
      expect(out.mlflow).toBe(venv.versions.mlflow);
      expect(out.tensorboard).toBe(venv.versions.tensorboard);
      expect(out.wandb).toBe(venv.versions.wandb);
      expect(out.tensorboardX).toBe(venv.versions.tensorboardX);
      expect(out.data_server).toContain('tensorboard_data_server');
      expect(venv.bin('mlflow')).toMatch(/\/bin\/mlflow$/);
    },
    INSTALL_MS,
  );

  it(
    'runPython passes args and throws with the stderr tail on failure',
    async () => {
      await expect(runPython('import sys, json; print(json.dumps(sys.argv[1:]))', { args: ['a', 'b c'] })).resolves.toEqual(['a', 'b c']);
      await expect(runPython('import sys; sys.stderr.write("boom-marker\\n"); sys.exit(3)')).rejects.toThrow(/exit 3[\s\S]*boom-marker/);
      await expect(runPython('print("not json")')).rejects.toThrow(/not JSON/);
      await expect(runPython('import time; time.sleep(30)', { timeoutMs: 500 })).rejects.toThrow(/timed out/);
    },
    INSTALL_MS,
  );
});

describe('mlflow server', () => {
  let srv: MlflowServer;
  beforeAll(async () => {
    srv = await startMlflowServer();
  }, INSTALL_MS);
  afterAll(async () => {
    await srv?.stop();
  }, SERVER_MS);

  it('answers /health and experiments/search from Node', async () => {
    const health = await fetch(`${srv.url}/health`);
    expect(health.status).toBe(200);
    const res = await fetch(`${srv.url}/api/2.0/mlflow/experiments/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ max_results: 10 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { experiments: { name: string; artifact_location: string }[] };
    expect(body.experiments.map((e) => e.name)).toContain('Default');
    // The artifact proxy is on: artifact locations are mlflow-artifacts: URIs.
    expect(body.experiments[0].artifact_location).toMatch(/^mlflow-artifacts:/);
  });

  it(
    'keeps its data across kill() + restart() on the same port',
    async () => {
      const created = (await (
        await fetch(`${srv.url}/api/2.0/mlflow/experiments/create`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'oracle-restart' }),
        })
      ).json()) as { experiment_id: string };
      await srv.kill();
      await expect(fetch(`${srv.url}/health`)).rejects.toThrow();
      await srv.restart();
      const got = (await (await fetch(`${srv.url}/api/2.0/mlflow/experiments/get?experiment_id=${created.experiment_id}`)).json()) as {
        experiment: { name: string };
      };
      expect(got.experiment.name).toBe('oracle-restart');
    },
    SERVER_MS,
  );
});

describe('tensorboard', () => {
  let logdir: string;
  beforeAll(async () => {
    logdir = mkdtempSync(join(tmpdir(), 'oracle-tb-'));
    // Events written by tensorboardX, a real writer independent of our code.
    await runPython(
      `
import sys, json, numpy as np
from tensorboardX import SummaryWriter
w = SummaryWriter(sys.argv[1] + "/run1")
for i in range(5):
    w.add_scalar("loss", 1.0 / (i + 1), i)
w.add_histogram("weights", np.arange(100, dtype=np.float32), 0)
w.add_image("img", np.zeros((3, 4, 4), dtype=np.uint8), 0)
w.add_text("note", "hello", 0)
w.add_hparams({"lr": 0.1}, {"hparam/acc": 0.9}, name="hp")
w.close()
print(json.dumps(True))
`,
      { args: [logdir] },
    );
  }, INSTALL_MS);
  afterAll(() => rmSync(logdir, { recursive: true, force: true }));

  for (const loadFast of [true, false]) {
    it(
      `serves the logdir with load_fast=${loadFast}`,
      async () => {
        const tb = await startTensorBoard(logdir, { loadFast });
        try {
          if (loadFast) expect(tb.dataServer?.cmdline).toMatch(/tensorboard_data_server.*--logdir=/);
          else expect(tb.dataServer).toBeUndefined();
          expect(await tb.waitForRuns(['run1', 'run1/hp'])).toEqual(expect.arrayContaining(['run1', 'run1/hp']));
          const pts = await tb.waitForScalars('run1', 'loss', 5);
          expect(pts.map(([, step, value]) => [step, value])).toEqual([
            [0, 1],
            [1, 0.5],
            [2, Math.fround(1 / 3)],
            [3, 0.25],
            [4, Math.fround(0.2)],
          ]);
          const hist = await tb.getJson<[number, number, [number, number, number][]][]>('/data/plugin/histograms/histograms?run=run1&tag=weights');
          expect(hist[0][1]).toBe(0);
          expect(hist[0][2].reduce((n, [, , count]) => n + count, 0)).toBe(100);
          const text = await tb.getJson<{ step: number; text: string }[]>('/data/plugin/text/text?run=run1&tag=note/text_summary');
          expect(text[0].text).toContain('hello');
          const images = await tb.getJson<{ step: number; query: string }[]>('/data/plugin/images/images?run=run1&tag=img&sample=0');
          const png = await fetch(`${tb.url}/data/plugin/images/individualImage?${images[0].query}`);
          expect(png.status).toBe(200);
          expect(
            Buffer.from(await png.arrayBuffer())
              .subarray(1, 4)
              .toString(),
          ).toBe('PNG');
          const groups = await tb.postJson<{ sessionGroups: { name: string; hparams: Record<string, unknown> }[] }>('/data/plugin/hparams/session_groups', {
            experimentName: '',
            allowedStatuses: ['STATUS_UNKNOWN', 'STATUS_SUCCESS', 'STATUS_FAILURE', 'STATUS_RUNNING'],
            colParams: [],
            startIndex: 0,
            sliceSize: 100,
          });
          expect(groups.sessionGroups[0].hparams).toEqual({ lr: 0.1 });
        } finally {
          await tb.stop();
        }
      },
      SERVER_MS,
    );
  }
});
