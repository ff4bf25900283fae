/**
 * Credentials never leak: MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_PASSWORD (and base64 of user:password)
 * and WANDB_API_KEY (and base64 of api:key) appear in no log line, error message or stack, stats,
 * file written, spool, or request body — only in Authorization headers. Runs MLflow online against a real
 * server behind a proxy that answers 401/500 and echoes the Authorization header back, W&B online against
 * the loopback W&B server with faults, the offline/spool modes, and a whole child program whose stdout and
 * stderr are captured. Secrets a program puts in its own config, hyperparameters and summary under
 * secret-looking keys (`database.password`, `openai_api_key`, `hfToken`) reach no backend either: not the
 * MLflow server (config.json, params), not the W&B server or .wandb file, not the event file or a spool.
 */
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowServer, type MlflowServer } from '@metrics/oracle';
import type { Tracker } from '@metrics/core';
import { createMlflowExporter, createMlflowTracker, MlflowApiError } from '@metrics/mlflow';
import { createTensorBoardTracker } from '@metrics/tensorboard';
import { createWandbTracker } from '@metrics/wandb';
import { startFakeWandbServer, type FakeWandbServer } from '@metrics/wandb/testing';
import { createExperimentTracker } from '@metrics/unified';
import { startAuthProxy, type AuthProxy } from './support/security-auth-proxy.js';
import { findSecrets, makeSecrets, needlesFor, scanTree, type Needle } from './support/security-scan.js';
import { collectingLogger, removeTree, tempRoot } from './support/security-harness.js';
import { runTsChild } from './support/security-spawn.js';

const secrets = makeSecrets();
/** What a user's own config may hold: masked by key in core before any backend sees it. */
const tag = secrets.mlflowToken.slice(7, 15);
const configSecrets = { password: `CFGPASS${tag}x1y2z3`, apiKey: `CFGAPIKEY${tag}a1b2c3`, token: `CFGTOKEN${tag}d4e5f6` };
/** Not secret: found in each backend's data, it proves the config really got there. */
const CONFIG_MARKER = `CFGMARKER${tag}`;
const configNeedles: Needle[] = Object.entries(configSecrets).flatMap(([k, v]) => [
  { label: `config ${k}`, bytes: Buffer.from(v) },
  { label: `config ${k} (base64)`, bytes: Buffer.from(Buffer.from(v).toString('base64').slice(0, 16)) },
]);
const needles = [...needlesFor(secrets), ...configNeedles];
const marker: Needle[] = [{ label: 'config marker', bytes: Buffer.from(CONFIG_MARKER) }];

function secretConfig(): Record<string, unknown> {
  return {
    model: { layers: [8, 4] },
    marker: CONFIG_MARKER,
    database: { host: 'db', password: configSecrets.password },
    openai_api_key: configSecrets.apiKey,
    hub: { hfToken: configSecrets.token },
  };
}
const bearer = `Bearer ${secrets.mlflowToken}`;
const basic = `Basic ${Buffer.from(`${secrets.mlflowUser}:${secrets.mlflowPassword}`).toString('base64')}`;
const wandbAuth = `Basic ${Buffer.from(`api:${secrets.wandbKey}`).toString('base64')}`;

let mlflow: MlflowServer;
let wandb: FakeWandbServer;
const proxies: AuthProxy[] = [];
const roots: string[] = [];
beforeAll(async () => {
  [mlflow, wandb] = await Promise.all([startMlflowServer(), startFakeWandbServer()]);
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await wandb?.close();
  await mlflow?.stop();
  roots.forEach(removeTree);
});

function root(name: string): string {
  const r = tempRoot(`secrets-${name}`);
  roots.push(r);
  return r;
}

async function proxy(options: Omit<Parameters<typeof startAuthProxy>[0], 'target'>, target = mlflow.url): Promise<AuthProxy> {
  const p = await startAuthProxy({ target, ...options });
  proxies.push(p);
  return p;
}

/** Everything a tracker exposes after a run: its stats (with lastError), as text. */
function statsText(t: Tracker): string {
  return JSON.stringify(t.stats());
}

/** Logs a little of everything MLflow takes, with flushes in between so many requests meet the faults. */
async function mlflowWorkload(t: Tracker): Promise<void> {
  t.logHyperparams({ lr: 0.01, optimizer: 'adam', marker: CONFIG_MARKER, api_token: configSecrets.token }, { metrics: ['training/loss'] });
  t.logConfig(secretConfig());
  for (let step = 0; step < 150; step++) {
    t.log({ 'training/loss': 1 / (step + 1), 'training/accuracy': step / 150 }, { step });
    if (step % 15 === 0) await t.flush({ timeoutMs: 2_000 });
  }
  t.logText('model/notes', 'notes', { step: 149 });
  t.setSummary({ 'evaluation/verdict': 'ok', 'custom/db_password': configSecrets.password });
}

interface Leak {
  where: string;
  found: string[];
}

function leaksIn(where: string, haystack: string | Uint8Array): Leak[] {
  const found = findSecrets(haystack, needles);
  return found.length ? [{ where, found }] : [];
}

describe('credentials never leak', () => {
  for (const auth of ['token', 'basic'] as const) {
    it(`MLflow online (${auth} auth) via a proxy answering 401/500 and echoing Authorization: no secret in logs, errors, stats, spool or bodies`, async () => {
      // Faults on the data path (after the run exists), so many requests meet them.
      const p = await proxy({
        seed: auth === 'token' ? 11 : 12,
        status401Ratio: 0.1,
        status500Ratio: 0.25,
        echoAuthorization: true,
        faultPaths: /log-batch|artifacts|runs\/update/,
      });
      const dir = root(`mlflow-${auth}`);
      const { logger, lines } = collectingLogger('debug');
      const env =
        auth === 'token'
          ? { MLFLOW_TRACKING_TOKEN: secrets.mlflowToken }
          : { MLFLOW_TRACKING_USERNAME: secrets.mlflowUser, MLFLOW_TRACKING_PASSWORD: secrets.mlflowPassword };
      const t = createMlflowTracker({
        trackingUri: p.url,
        env,
        experiment: `secrets-${auth}`,
        runName: 'leak-check',
        spillDir: join(dir, 'spool'),
        handleExit: false,
        logger,
        retry: { initialDelayMs: 10, maxDelayMs: 100 },
        batch: { maxBatchSize: 40, scheduledDelayMs: 20 },
      });
      await mlflowWorkload(t);
      await t.close(undefined, { timeoutMs: 15_000 });

      // A direct client call that gets an echoing 401: its error, stack and inspection are clean too.
      const rejecting = await proxy({ requireAuthorization: 'nobody', echoAuthorization: true });
      const exporter = createMlflowExporter({ trackingUri: rejecting.url, env, logger });
      let apiError: unknown;
      try {
        await exporter.native().client!.call('GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=x');
      } catch (e) {
        apiError = e;
      }
      await exporter.shutdown({ status: 'finished' });
      expect(MlflowApiError.isInstance(apiError)).toBe(true);

      const sent = auth === 'token' ? bearer : basic;
      const withCreds = p.calls.filter((c) => c.authorization === sent).length;
      const echoed = p.calls.filter((c) => c.status === 401 || c.status === 500).length;
      const spool = scanTree(dir, needles);
      const leaks = [
        ...lines.flatMap((l, i) => leaksIn(`log line ${i}: ${l.slice(0, 80)}`, l)),
        ...leaksIn('stats', statsText(t)),
        ...leaksIn('error message', (apiError as Error).message),
        ...leaksIn('error stack', (apiError as Error).stack ?? ''),
        ...leaksIn('util.inspect(error)', inspect(apiError, { depth: 5 })),
        ...[...p.calls, ...rejecting.calls].flatMap((c, i) => leaksIn(`request body ${i} ${c.method} ${c.path}`, c.body)),
        ...spool.hits.map((h) => ({ where: h, found: [] })),
      ];
      console.log(
        `reliability: MLflow ${auth} auth leak scan — ${p.calls.length} requests (${withCreds} with credentials, ${echoed} answered 401/500 echoing them), ` +
          `${lines.length} log lines, ${spool.files} files/${spool.bytes} bytes, ${needles.length} secret forms — ${leaks.length} leaks`,
      );
      expect(p.calls.filter((c) => findSecrets(c.body, marker).length > 0).length, 'the config and params really reached MLflow').toBeGreaterThan(0);
      expect(withCreds, 'the credentials were really in use').toBeGreaterThan(10);
      expect(echoed, 'the server really echoed them back').toBeGreaterThan(2);
      expect(leaks).toEqual([]);
    });
  }

  it('W&B online against the loopback server with 500s, resets and a 401: the key is only ever in Authorization headers', async () => {
    const dir = root('wandb-online');
    const results: { lines: string[]; stats: string }[] = [];
    for (const scenario of ['transient', 'unauthorized'] as const) {
      if (scenario === 'transient') {
        wandb.injectFaults('UpsertBucket', [{ status: 500 }, { reset: true }]);
        wandb.injectFaults('file_stream', [{ status: 500 }, { status: 502 }, { reset: true }]);
        wandb.injectFaults('upload', [{ status: 500 }]);
      } else wandb.injectFaults('UpsertBucket', [{ status: 401 }]);
      const { logger, lines } = collectingLogger('debug');
      const t = createWandbTracker({
        mode: 'online',
        env: { WANDB_API_KEY: secrets.wandbKey, WANDB_BASE_URL: wandb.url },
        dir: join(dir, scenario),
        runId: `secret-${scenario}`,
        experiment: 'secrets',
        runName: scenario,
        handleExit: false,
        logger,
        fileStream: { intervalMs: 20, heartbeatMs: 60_000 },
        retry: { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 8, deadlineMs: 10_000 },
      });
      t.logConfig(secretConfig());
      for (let step = 0; step < 100; step++) t.log({ 'training/loss': 1 / (step + 1) }, { step });
      t.logImage('evaluation/sample', { width: 2, height: 2, channels: 1, data: new Uint8Array([0, 64, 128, 255]) }, { step: 99 });
      t.setSummary({ 'training/loss': 0.01 });
      await t.close(undefined, { timeoutMs: 15_000 });
      results.push({ lines, stats: statsText(t) });
    }
    const authHeaders = wandb.requests.filter((r) => r.headers.authorization === wandbAuth).length;
    const files = scanTree(dir, needles);
    const leaks = [
      ...results.flatMap((r, k) => [
        ...r.lines.flatMap((l, i) => leaksIn(`run ${k} log line ${i}: ${l.slice(0, 80)}`, l)),
        ...leaksIn(`run ${k} stats`, r.stats),
      ]),
      ...wandb.requests.flatMap((r, i) => leaksIn(`request ${i} ${r.kind} body`, r.bytes)),
      ...wandb.requests.flatMap((r, i) =>
        leaksIn(`request ${i} ${r.kind} headers other than Authorization`, JSON.stringify({ ...r.headers, authorization: undefined })),
      ),
      ...files.hits.map((h) => ({ where: h, found: [] })),
    ];
    const failedStart = JSON.parse(results[1]!.stats).exporters[0].lastError as string;
    console.log(
      `reliability: W&B online leak scan — ${wandb.requests.length} requests (${authHeaders} authenticated), ` +
        `${results.reduce((n, r) => n + r.lines.length, 0)} log lines, ` +
        `${files.files} files, ${needles.length} secret forms — ${leaks.length} leaks`,
    );
    expect(wandb.requests.filter((r) => findSecrets(r.bytes, marker).length > 0).length, 'the config really reached the W&B server').toBeGreaterThan(0);
    expect(authHeaders, 'the key was really in use').toBeGreaterThan(5);
    expect(failedStart).toMatch(/401/);
    expect(leaks).toEqual([]);
  });

  it('offline and spool modes (TensorBoard, W&B offline, MLflow without a server, the facade): no file or line holds a secret', async () => {
    const dir = root('offline');
    const env = {
      MLFLOW_TRACKING_TOKEN: secrets.mlflowToken,
      MLFLOW_TRACKING_USERNAME: secrets.mlflowUser,
      MLFLOW_TRACKING_PASSWORD: secrets.mlflowPassword,
      WANDB_API_KEY: secrets.wandbKey,
    };
    const { logger, lines } = collectingLogger('debug');
    const common = { experiment: 'secrets-offline', runName: 'offline', handleExit: false, logger } as const;
    const trackers: Tracker[] = [
      createTensorBoardTracker({ ...common, logDir: join(dir, 'tb') }),
      createWandbTracker({ ...common, mode: 'offline', dir: join(dir, 'wandb'), env }),
      createMlflowTracker({ ...common, spillDir: join(dir, 'spool'), env }),
      await createExperimentTracker({
        experiment: common.experiment,
        runName: common.runName,
        logger,
        tensorboardLogDir: join(dir, 'facade-tb'),
        wandbMode: 'offline',
        wandbDir: join(dir, 'facade-wandb'),
        mlflowSpoolDir: join(dir, 'facade-spool'),
        env,
        backendOptions: { wandb: { env }, mlflow: { env } },
      }),
    ];
    for (const t of trackers) {
      await mlflowWorkload(t);
      t.logImage('evaluation/sample', { width: 2, height: 2, channels: 1, data: new Uint8Array([0, 64, 128, 255]) }, { step: 149 });
      t.logHistogram('model/weights', [0.1, 0.2, 0.3], { step: 149 });
      await t.close(undefined, { timeoutMs: 5_000 });
    }
    const files = scanTree(dir, needles);
    const leaks = [
      ...lines.flatMap((l, i) => leaksIn(`log line ${i}: ${l.slice(0, 80)}`, l)),
      ...trackers.flatMap((t, i) => leaksIn(`tracker ${i} stats`, statsText(t))),
      ...files.hits.map((h) => ({ where: h, found: [] })),
    ];
    console.log(
      `reliability: offline/spool leak scan — 4 trackers, ${files.files} files/${files.bytes} bytes, ${lines.length} log lines, ` +
        `${needles.length} secret forms — ${leaks.length} leaks`,
    );
    expect(files.files).toBeGreaterThan(10);
    // The configs really reached every backend's data (else a clean scan proves nothing).
    for (const sub of ['tb', 'wandb', 'spool', 'facade-tb', 'facade-wandb', 'facade-spool'])
      expect(scanTree(join(dir, sub), marker).hits.length, `config in ${sub}`).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });

  it('a whole program (credentials only in its environment, default logger): stdout, stderr and its files hold no secret', async () => {
    const p = await proxy({ seed: 21, status401Ratio: 0.05, status500Ratio: 0.2, echoAuthorization: true, faultPaths: /log-batch|artifacts|runs\/update/ });
    const dir = root('child');
    const r = await runTsChild('./test/support/security-secrets-child.ts', [dir], {
      timeoutMs: 90_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        MLFLOW_TRACKING_URI: p.url,
        MLFLOW_TRACKING_TOKEN: secrets.mlflowToken,
        MLFLOW_TRACKING_USERNAME: secrets.mlflowUser,
        MLFLOW_TRACKING_PASSWORD: secrets.mlflowPassword,
        WANDB_API_KEY: secrets.wandbKey,
        WANDB_BASE_URL: wandb.url,
        METRICS_LOG_LEVEL: 'debug',
      },
    });
    const files = scanTree(dir, needles);
    const leaks = [
      ...leaksIn('child stdout', r.stdout ?? ''),
      ...leaksIn('child stderr', r.stderr ?? ''),
      ...p.calls.flatMap((c, i) => leaksIn(`request body ${i} ${c.method} ${c.path}`, c.body)),
      ...files.hits.map((h) => ({ where: h, found: [] })),
    ];
    const withToken = p.calls.filter((c) => c.authorization === bearer).length;
    console.log(
      `reliability: child program leak scan — exit ${r.status}, ${(r.stderr ?? '').split('\n').length} stderr lines, ` +
        `${(r.stdout ?? '').length} stdout bytes, ` +
        `${p.calls.length} MLflow requests (${withToken} with the token), ${files.files} files — ${leaks.length} leaks`,
    );
    expect(r.status, r.stderr?.slice(-2000)).toBe(0);
    expect(withToken).toBeGreaterThan(5);
    expect(leaks).toEqual([]);
  });

  it('`metrics-mlflow replay`: its output holds no secret, and it authenticates with the credentials from the environment', async () => {
    // 1. A spool written without a server.
    const dir = root('replay');
    const spool = join(dir, 'spool');
    const t = createMlflowTracker({
      experiment: 'secrets-replay',
      runName: 'replay',
      spillDir: spool,
      handleExit: false,
      env: {},
      logger: collectingLogger().logger,
    });
    for (let step = 0; step < 20; step++) t.log({ 'training/loss': step }, { step });
    await t.close();
    // 2. Replayed through a gateway that insists on the token (and echoes what it got when refusing).
    const gate = await proxy({ requireAuthorization: bearer, echoAuthorization: true });
    const cli = join(import.meta.dirname, '../../../packages/mlflow/src/cli.ts');
    const r = await runTsChild(cli, ['replay', spool], {
      timeoutMs: 60_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MLFLOW_TRACKING_URI: gate.url, MLFLOW_TRACKING_TOKEN: secrets.mlflowToken },
    });
    const leaks = [
      ...leaksIn('replay stdout', r.stdout ?? ''),
      ...leaksIn('replay stderr', r.stderr ?? ''),
      ...scanTree(dir, needles).hits.map((h) => ({ where: h, found: [] })),
    ];
    const authenticated = gate.calls.filter((c) => c.authorization === bearer).length;
    console.log(
      `reliability: replay with MLFLOW_TRACKING_TOKEN — exit ${r.status}, ${gate.calls.length} requests, ` +
        `${authenticated} carried the token — ${leaks.length} leaks`,
    );
    expect(leaks).toEqual([]);
    expect({ status: r.status, authenticated: authenticated > 0, out: r.stdout.trim().slice(0, 300) }).toMatchObject({ status: 0, authenticated: true });
  });
});
