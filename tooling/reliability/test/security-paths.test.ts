/**
 * Names cannot make a tracker write outside its directory: experiment, run name, W&B run id / project /
 * entity / media names, the TensorBoard file suffix and MLflow spool names set to `../`, absolute paths,
 * NUL bytes, backslashes, encoded dots and very long strings. Every tracker writes under its own dir in a
 * sandbox; the canary names all point next to it, so an escape shows up as a new entry in the sandbox's
 * parent (or in the working directory).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger, InvalidCallError, type Tracker } from '@metrics/core';
import { encodeWav, prCurvePoints, type ArtifactRecord } from '@metrics/core/backend';
import { createTensorBoardTracker } from '@metrics/tensorboard';
import { createWandbExporter, createWandbTracker, readWandbFile } from '@metrics/wandb';
import { startFakeWandbServer } from '@metrics/wandb/testing';
import { createMlflowExporter, createMlflowTracker } from '@metrics/mlflow';
import { createExperimentTracker } from '@metrics/unified';
import { removeTree, tempRoot, walkFiles } from './support/security-harness.js';

const parent = tempRoot('paths');
afterAll(() => removeTree(parent));
const silent = () => createLogger({ level: 'silent' });
const cwdBefore = readdirSync(process.cwd()).sort();

/** Names aimed at `parent` from wherever a tracker might resolve them. */
function hostileNames(): string[] {
  return [
    '..',
    '.',
    '',
    '../escape-dotdot',
    '../../escape-dotdot2',
    '../../../escape-dotdot3',
    '../../../../escape-dotdot4',
    'a/../../escape-slash',
    `${'../'.repeat(40)}${parent.slice(1)}/escape-deep`,
    `${parent}/escape-abs`,
    `${parent}\\escape-bs`,
    '..\\..\\escape-bs2',
    'C:\\escape-drive',
    'nul\u0000byte/../../escape-nul',
    '\u0000',
    'x'.repeat(5000),
    `${'../'.repeat(3)}${'y'.repeat(300)}`,
    '~/escape-home',
    'run/./../../escape-dot',
    '%2e%2e%2fescape-enc',
    ' ../escape-space',
    '../escape-trailing/',
    '..\u2215escape-unicode-slash',
    '\u202e../escape-rtl',
  ];
}

let sandboxes = 0;
function sandbox(): string {
  const dir = join(parent, `root-${++sandboxes}`);
  mkdirSync(dir);
  return dir;
}

/** Nothing but sandboxes next to each other; every file of this one is under `allowed`. */
function expectContained(root: string, allowed: string, what: string): number {
  const stray = readdirSync(parent).filter((n) => !/^root-\d+$/.test(n));
  expect(stray, `${what}: created next to the sandbox`).toEqual([]);
  const files = walkFiles(root);
  for (const f of files) expect(relative(allowed, f).split(sep)[0], `${what}: ${f} is outside ${allowed}`).not.toBe('..');
  return files.length;
}

async function workload(t: Tracker): Promise<void> {
  t.logConfig({ lr: 0.1 });
  t.log({ 'training/loss': 1 }, { step: 0 });
  t.logText('model/notes', 'x', { step: 0 });
  t.logImage('evaluation/sample', { width: 1, height: 1, channels: 1, data: new Uint8Array([9]) }, { step: 0 });
  t.logHistogram('model/weights', [1, 2, 3], { step: 0 });
  t.setSummary({ 'training/loss': 1 });
  t.logTable('evaluation/predictions', { columns: ['id'], rows: [[1]] }, { step: 0 });
  t.logPrCurve('evaluation/pr', { labels: [1, 0], predictions: [0.9, 0.1], numThresholds: 3 }, { step: 0 });
  t.logConfusionMatrix('evaluation/confusion', { classNames: ['a', 'b'], actual: [0, 1], predicted: [1, 1] }, { step: 0 });
  t.logAudio('evaluation/speech', { sampleRate: 8000, channels: 1, samples: [0, 0.5] }, { step: 0 });
  t.setTags({ stage: '../../escape-tag' });
  t.setNote('../../escape-note');
  await t.close(undefined, { timeoutMs: 5_000 });
}

describe('names never escape the log directory', () => {
  it('TensorBoard: hostile experiment, run name and file-name suffix', async () => {
    let files = 0;
    const names = hostileNames();
    for (const name of names) {
      const root = sandbox();
      const logDir = join(root, 'tb');
      await workload(
        createTensorBoardTracker({
          logDir,
          experiment: name,
          runName: name,
          filenameSuffix: `/../../${name.slice(0, 40)}`,
          handleExit: false,
          logger: silent(),
        }),
      );
      files += expectContained(root, logDir, `TensorBoard name ${JSON.stringify(name.slice(0, 60))}`);
    }
    console.log(`reliability: TensorBoard path escape — ${names.length} hostile names × (experiment, run, suffix), ${files} files written, all inside — held`);
  });

  it('child runs: hostile child names and job types stay inside the parent run (TensorBoard sub-directory, W&B offline run)', async () => {
    let files = 0;
    const names = hostileNames();
    for (const name of names) {
      const root = sandbox();
      const tb = createTensorBoardTracker({ logDir: join(root, 'tb'), experiment: 'exp', runName: 'parent', handleExit: false, logger: silent() });
      const wb = createWandbTracker({ mode: 'offline', dir: join(root, 'wandb'), runName: 'parent', handleExit: false, logger: silent(), env: {} });
      if (name.trim() === '') {
        // An empty name is a bad call: it throws, nothing is created.
        expect(() => tb.child(name)).toThrow(InvalidCallError);
        expect(() => wb.child(name)).toThrow(InvalidCallError);
      } else {
        const tbChild = tb.child(name);
        await workload(tbChild);
        await workload(wb.child(name, { jobType: name }));
        const parentDir = tb.runHandle().runIds.tensorboard!.logDir!;
        const childDir = tbChild.runHandle().runIds.tensorboard!.logDir!;
        expect(relative(parentDir, childDir).split(sep), `TensorBoard child ${JSON.stringify(name.slice(0, 60))}`).toHaveLength(1);
      }
      await tb.close();
      await wb.close();
      const what = `child ${JSON.stringify(name.slice(0, 60))}`;
      files += expectContained(join(root, 'tb'), join(root, 'tb', 'exp', 'parent'), `TensorBoard ${what}`);
      files += expectContained(join(root, 'wandb'), join(root, 'wandb'), `W&B ${what}`);
    }
    console.log(`reliability: child-run path escape — ${names.length} hostile child names (TensorBoard, W&B), ${files} files written, all inside — held`);
  });

  it('W&B offline: hostile run id, project, entity, run name and group (options, env and resume handle)', async () => {
    let files = 0;
    const names = hostileNames();
    for (const name of names) {
      for (const via of ['options', 'env', 'resume'] as const) {
        const root = sandbox();
        const dir = join(root, 'wandb');
        const common = { mode: 'offline' as const, dir, experiment: name, runName: name, group: name, handleExit: false, logger: silent() };
        const t =
          via === 'options'
            ? createWandbTracker({ ...common, runId: name, project: name, entity: name, env: {} })
            : via === 'env'
              ? createWandbTracker({ ...common, env: { WANDB_RUN_ID: name, WANDB_PROJECT: name, WANDB_ENTITY: name, WANDB_RESUME: 'allow' } })
              : createWandbTracker({
                  ...common,
                  env: {},
                  resume: { specificationVersion: 'v1', experiment: name, runName: name, step: 3, runIds: { wandb: { runId: name } } },
                });
        await workload(t);
        files += expectContained(root, dir, `W&B ${via} name ${JSON.stringify(name.slice(0, 60))}`);
      }
    }
    console.log(`reliability: W&B offline path escape — ${names.length} hostile names × 3 ways in, ${files} files written, all inside — held`);
  });

  it('W&B offline: hostile media names that bypass core validation (exporter level)', async () => {
    let files = 0;
    const names = hostileNames();
    const root = sandbox();
    const dir = join(root, 'wandb');
    const e = createWandbExporter({ mode: 'offline', dir, runId: 'media', logger: silent(), env: {} });
    await e.start({ experiment: 'p', runName: 'r', tags: {}, startTime: Date.now() });
    for (const [i, name] of names.entries()) {
      const result = await e.export([
        { kind: 'image', name, step: i, wallTime: Date.now(), image: { width: 1, height: 1, channels: 1, data: new Uint8Array([i]) } },
        { kind: 'image', name, step: i, wallTime: Date.now(), image: { mimeType: 'image/jpeg', bytes: new Uint8Array([0xff, 0xd8, i]), width: 1, height: 1 } },
        { kind: 'histogram', name, step: i, wallTime: Date.now(), values: [1, 2] },
        { kind: 'text', name, step: i, wallTime: Date.now(), text: 't' },
        { kind: 'table', name, step: i, wallTime: Date.now(), columns: ['a'], rows: [[1]] },
        { kind: 'pr_curve', name, step: i, wallTime: Date.now(), ...prCurvePoints([1, 0], [0.9, 0.1], 3) },
        { kind: 'confusion_matrix', name, step: i, wallTime: Date.now(), classNames: ['a'], counts: [[1]] },
        { kind: 'audio', name, step: i, wallTime: Date.now(), sampleRate: 8000, channels: 1, frames: 1, wav: encodeWav([0], 8000, 1).wav },
      ]);
      expect(result.ok).toBe(true);
    }
    await e.shutdown({ status: 'finished' });
    files += expectContained(root, dir, 'W&B media names');
    console.log(`reliability: W&B media path escape — ${names.length} hostile media names × 8 records, ${files} files written, all inside — held`);
  });

  it('W&B artifacts: hostile artifact paths, names, aliases and file names stay in the run (offline staging, online uploads)', async () => {
    const names = hostileNames();
    const root = sandbox();
    // Source files whose own names are hostile where a file system allows it (no '/' or NUL in a file name).
    const src = join(root, 'src', 'model');
    mkdirSync(src, { recursive: true });
    for (const f of ['\u202e..', '.hidden', '..escape-prefix', ' ', 'C:escape']) writeFileSync(join(src, f), f);
    // A backslash separates path segments in an artifact path (as on Windows), and control characters are refused:
    // a directory holding such names is refused whole.
    const evil = join(root, 'src', 'evil');
    mkdirSync(evil);
    for (const f of ['..\\..\\escape-bs-file', 'x\ny']) writeFileSync(join(evil, f), f);
    const records = (i: number, name: string): ArtifactRecord[] => [
      { kind: 'artifact', wallTime: Date.now(), localPath: src, artifactPath: name, name: `n${i}`, aliases: ['best'] },
      { kind: 'artifact', wallTime: Date.now(), localPath: src, artifactPath: '', name, aliases: [name], type: name },
      { kind: 'artifact', wallTime: Date.now(), localPath: join(src, '..escape-prefix'), artifactPath: name },
      { kind: 'artifact', wallTime: Date.now(), localPath: evil, artifactPath: '', name: `evil${i}` },
      { kind: 'artifact', wallTime: Date.now(), localPath: join(evil, '..\\..\\escape-bs-file'), artifactPath: '', name: `evil-file${i}` },
    ];
    const dir = join(root, 'wandb');
    const e = createWandbExporter({ mode: 'offline', dir, runId: 'artifacts', logger: silent(), env: {} });
    await e.start({ experiment: 'p', runName: 'r', tags: {}, startTime: Date.now() });
    let accepted = 0;
    for (const [i, name] of names.entries()) {
      const batch = records(i, name);
      const result = await e.export(batch);
      // A bad name or an escaping path is skipped (non-retryable, named in `remaining`); nothing else fails.
      if (!result.ok) expect(result.retryable, name).toBe(false);
      accepted += batch.length - (result.ok ? 0 : (result.remaining?.length ?? batch.length));
    }
    await e.shutdown({ status: 'finished' });
    const files = expectContained(root, root, 'W&B artifact names');
    const runDir = (e.native() as { runDir: string }).runDir;
    for (const f of walkFiles(dir).filter((f) => !f.endsWith(`${sep}latest-run`)))
      expect(relative(runDir, f).split(sep)[0], `${f} is outside the run directory`).not.toBe('..');
    // Every manifest path the log names is relative, without '..' or empty segments; every staged copy is in artifacts/.
    const logged = readWandbFile((e.native() as { wandbFile: string }).wandbFile).records.filter((r) => r.type === 'artifact');
    expect(logged.length).toBe(accepted);
    expect(accepted).toBeGreaterThan(0); // the clean ones went through
    expect(logged.some((r) => String(r.data.name).startsWith('evil'))).toBe(false);
    for (const r of logged) {
      const contents = (r.data.manifest as { contents: { path: string; local_path: string }[] }).contents;
      for (const c of contents) {
        expect(
          c.path.split('/').filter((s) => s === '' || s === '.' || s === '..'),
          c.path,
        ).toEqual([]);
        expect(relative(join(runDir, 'artifacts'), c.local_path).split(sep)[0], c.local_path).not.toBe('..');
      }
    }

    // Online: the same records; every upload URL the client PUTs to is one the server gave for a clean name.
    const server = await startFakeWandbServer();
    try {
      const online = createWandbExporter({ mode: 'online', apiKey: 'k'.repeat(40), baseUrl: server.url, runId: 'artifacts', logger: silent(), env: {} });
      expect(await online.start({ experiment: 'p', runName: 'r', tags: {}, startTime: Date.now() })).toEqual({ ok: true });
      for (const [i, name] of names.entries()) {
        const result = await online.export(records(i, name));
        if (!result.ok) expect(result.retryable, name).toBe(false);
      }
      await online.shutdown({ status: 'finished' });
      const specs = server.requests
        .filter((r) => r.kind === 'CreateArtifactFiles')
        .flatMap((r) => (r.json as { variables: { input: { artifactFiles: { name: string }[] } } }).variables.input.artifactFiles.map((f) => f.name));
      expect(specs.length).toBeGreaterThan(0);
      for (const name of specs)
        expect(
          name.split('/').filter((s) => s === '' || s === '.' || s === '..'),
          name,
        ).toEqual([]);
      expect(server.requests.filter((r) => r.kind === 'artifact-upload' && r.status !== 200)).toEqual([]);
      console.log(
        `reliability: W&B artifact path escape — ${names.length} hostile names × 5 artifacts (paths, names, aliases, types, file names) offline and online, ` +
          `${logged.length} artifacts logged, ${files} files staged, ${specs.length} uploads named, all inside — held`,
      );
    } finally {
      await server.close();
    }
  });

  it("MLflow artifacts: hostile table, curve, matrix and audio names stay under the run's artifact root", async () => {
    const names = hostileNames();
    const puts: string[] = [];
    // A minimal tracking server: every call succeeds; artifact PUTs are recorded.
    const server = createServer((req, res) => {
      if (req.method === 'PUT') puts.push(req.url ?? '');
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            experiment_id: '1',
            experiment: { experiment_id: '1', lifecycle_stage: 'active' },
            run: { info: { run_id: 'r1', experiment_id: '1', artifact_uri: 'mlflow-artifacts:/1/r1/artifacts' } },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const e = createMlflowExporter({ trackingUri: `http://127.0.0.1:${port}`, logger: silent(), env: {} });
      expect(await e.start({ experiment: 'p', runName: 'r', tags: {}, startTime: Date.now() })).toEqual({ ok: true });
      for (const [i, name] of names.entries()) {
        const result = await e.export([
          { kind: 'table', name, step: i, wallTime: Date.now(), columns: ['a'], rows: [[1]] },
          { kind: 'pr_curve', name, step: i, wallTime: Date.now(), ...prCurvePoints([1, 0], [0.9, 0.1], 3) },
          { kind: 'confusion_matrix', name, step: i, wallTime: Date.now(), classNames: ['a'], counts: [[1]] },
          { kind: 'audio', name, step: i, wallTime: Date.now(), sampleRate: 8000, channels: 1, frames: 1, wav: encodeWav([0], 8000, 1).wav },
        ]);
        expect(result.ok, `export of ${JSON.stringify(name.slice(0, 40))}`).toBe(true);
      }
      await e.shutdown({ status: 'finished' });
    } finally {
      server.close();
    }
    const root = '/api/2.0/mlflow-artifacts/artifacts/1/r1/artifacts/';
    // A table, a curve and a matrix (each a JSON file, the two also a PNG and its thumbnail), a WAV.
    expect(puts.length).toBe(names.length * 8);
    for (const url of puts) {
      expect(url.startsWith(root), url).toBe(true);
      const segments = url.slice(root.length).split('/').map(decodeURIComponent);
      expect(
        segments.filter((s) => s === '' || s === '.' || s === '..' || s.includes('\0')),
        url,
      ).toEqual([]);
      expect(['tables', 'audio', 'images'].includes(segments[0]!), url).toBe(true);
    }
    console.log(
      `reliability: MLflow artifact path escape — ${names.length} hostile names × 4 kinds, ${puts.length} uploads, all under the run's artifact root — held`,
    );
  });

  it('MLflow spool: hostile experiment and run name', async () => {
    let files = 0;
    const names = hostileNames();
    for (const name of names) {
      const root = sandbox();
      const spillDir = join(root, 'spool');
      await workload(createMlflowTracker({ spillDir, experiment: name, runName: name, env: {}, handleExit: false, logger: silent() }));
      files += expectContained(root, spillDir, `MLflow spool name ${JSON.stringify(name.slice(0, 60))}`);
    }
    console.log(`reliability: MLflow spool path escape — ${names.length} hostile names, ${files} spool files, all inside — held`);
  });

  it('the facade: hostile experiment and run name (options and environment) over all backends', async () => {
    let files = 0;
    const names = hostileNames();
    for (const name of names) {
      for (const via of ['options', 'env'] as const) {
        const root = sandbox();
        const dirs = { tensorboardLogDir: join(root, 'tb'), wandbDir: join(root, 'wandb'), mlflowSpoolDir: join(root, 'spool') };
        const env = via === 'env' ? { METRICS_EXPERIMENT: name, METRICS_RUN_NAME: name, WANDB_RUN_ID: name, WANDB_NAME: name } : {};
        // The schema asks for non-empty names: an empty one is a configuration error, not an escape.
        const named = via === 'options' && name !== '' ? { experiment: name, runName: name } : {};
        let t: Tracker;
        try {
          t = await createExperimentTracker({
            ...named,
            ...dirs,
            wandbMode: 'offline',
            logger: silent(),
            env,
            backendOptions: { wandb: { env }, mlflow: { env: {} } },
          });
        } catch (error) {
          expect((error as Error).name, `facade ${via} ${JSON.stringify(name.slice(0, 40))}`).toBe('InvalidConfigError');
          continue;
        }
        await workload(t);
        files += expectContained(root, root, `facade ${via} name ${JSON.stringify(name.slice(0, 60))}`);
        for (const f of walkFiles(root))
          expect(
            [dirs.tensorboardLogDir, dirs.wandbDir, dirs.mlflowSpoolDir].some((d) => relative(d, f).split(sep)[0] !== '..'),
            `${f} is in no backend's dir`,
          ).toBe(true);
      }
    }
    console.log(`reliability: facade path escape — ${names.length} hostile names × 2 ways in, ${files} files written, all inside — held`);
  });

  it('random strings of path tokens as experiment and run names (200 runs over all four trackers)', async () => {
    let runs = 0;
    const token = fc.constantFrom('..', '.', '/', '\\', '\u0000', 'escape', parent, '~', '%2f', ':', '//', 'C:', ' ');
    await fc.assert(
      fc.asyncProperty(
        fc.array(token, { minLength: 1, maxLength: 12 }).map((t) => t.join('')),
        fc.nat(3),
        async (name, which) => {
          runs++;
          const root = sandbox();
          const dir = join(root, 'out');
          const common = { experiment: name, runName: name, handleExit: false, logger: silent() } as const;
          const t = [
            () => createTensorBoardTracker({ ...common, logDir: dir }),
            () => createWandbTracker({ ...common, mode: 'offline', dir, runId: name, env: {} }),
            () => createMlflowTracker({ ...common, spillDir: dir, env: {} }),
            () => createTensorBoardTracker({ ...common, logDir: dir, filenameSuffix: name }),
          ][which]!();
          await workload(t);
          expectContained(root, dir, `tracker ${which} name ${JSON.stringify(name)}`);
        },
      ),
      { numRuns: 200, seed: 0x9a7 },
    );
    expect(readdirSync(process.cwd()).sort(), 'nothing appeared in the working directory').toEqual(cwdBefore);
    console.log(`reliability: path-token names — ${runs} random names over 4 trackers, sandbox parent holds only sandboxes, cwd unchanged — held`);
  });
});
