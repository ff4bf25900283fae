/**
 * TLS certificate verification is on by default. A loopback HTTPS front with a self-signed certificate
 * sits before the real MLflow server and before the loopback W&B server. By default both clients refuse
 * the handshake — reported in stats and the log, the process carries on, nothing is lost (MLflow spools).
 * With MLFLOW_TRACKING_INSECURE_TLS=true the MLflow client goes through, a warning line says verification
 * is off, and the points are on the server. The W&B package has no insecure setting: it always verifies.
 */
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowServer, type MlflowServer } from '@metrics/oracle';
import { readSpool } from '@metrics/core/backend';
import { createMlflowTracker } from '@metrics/mlflow';
import { createWandbTracker } from '@metrics/wandb';
import { startFakeWandbServer, type FakeWandbServer } from '@metrics/wandb/testing';
import { collectingLogger, removeTree, tempRoot, walkFiles } from './support/security-harness.js';
import { makeSelfSignedCert, startTlsFront, type SelfSigned, type TlsFront } from './support/security-tls.js';

const TLS_ERROR = /self[- ]signed|certificate|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_VERIFY|CERT_/i;
const POINTS = 25;
let mlflow: MlflowServer;
let wandb: FakeWandbServer;
let cert: SelfSigned;
let mlflowTls: TlsFront;
let wandbTls: TlsFront;
const root = tempRoot('tls');

beforeAll(async () => {
  cert = makeSelfSignedCert();
  [mlflow, wandb] = await Promise.all([startMlflowServer(), startFakeWandbServer()]);
  [mlflowTls, wandbTls] = await Promise.all([startTlsFront(mlflow.url, cert), startTlsFront(wandb.url, cert)]);
});
afterAll(async () => {
  await Promise.all([mlflowTls?.stop(), wandbTls?.stop()]);
  await wandb?.close();
  await mlflow?.stop();
  removeTree(root);
});

/** The front works for a client that trusts the certificate: failures below are verification, not a broken server. */
function getTrusting(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { ca: cert.cert }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

async function history(runId: string): Promise<number> {
  const res = await fetch(`${mlflow.url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=training/loss&max_results=1000`);
  return ((await res.json()) as { metrics?: unknown[] }).metrics?.length ?? 0;
}

describe('TLS verification', () => {
  it('the HTTPS front serves a client that trusts its certificate', async () => {
    expect(await getTrusting(`${mlflowTls.url}/health`)).toBe(200);
  });

  it('MLflow, by default: the self-signed server is refused with a TLS error, reported, and the points are spooled', async () => {
    const before = { handshakes: mlflowTls.handshakeFailures, served: mlflowTls.served };
    const { logger, lines } = collectingLogger('debug');
    const spillDir = join(root, 'mlflow-strict');
    const t = createMlflowTracker({
      trackingUri: mlflowTls.url,
      env: {},
      experiment: 'tls',
      runName: 'strict',
      spillDir,
      handleExit: false,
      logger,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    for (let step = 0; step < POINTS; step++) t.log({ 'training/loss': 1 / (step + 1) }, { step });
    await t.close(undefined, { timeoutMs: 2_000 });
    const lane = t.stats().exporters[0]!;
    const spooled = walkFiles(spillDir).flatMap((f) => readSpool(f).records).length;
    const refused = mlflowTls.handshakeFailures - before.handshakes;
    console.log(
      `reliability: MLflow TLS default — ${refused} handshakes refused, ${mlflowTls.served - before.served} requests served, ` +
        `lastError "${lane.lastError}", ${spooled}/${POINTS} points spooled — held`,
    );
    expect(lane.lastError).toMatch(TLS_ERROR);
    expect(
      lines.some((l) => TLS_ERROR.test(l)),
      'a log line reports it',
    ).toBe(true);
    expect(lines.some((l) => /verification is OFF/i.test(l))).toBe(false);
    expect(refused).toBeGreaterThan(0);
    expect(mlflowTls.served - before.served, 'no request got through').toBe(0);
    expect(spooled).toBe(POINTS);
  });

  it('MLflow with MLFLOW_TRACKING_INSECURE_TLS=true: goes through, warns that verification is off, points arrive', async () => {
    const before = mlflowTls.served;
    const { logger, lines } = collectingLogger('debug');
    const t = createMlflowTracker({
      trackingUri: mlflowTls.url,
      env: { MLFLOW_TRACKING_INSECURE_TLS: 'true' },
      experiment: 'tls',
      runName: 'insecure',
      spillDir: join(root, 'mlflow-insecure'),
      handleExit: false,
      logger,
    });
    for (let step = 0; step < POINTS; step++) t.log({ 'training/loss': 1 / (step + 1) }, { step });
    await t.close(undefined, { timeoutMs: 20_000 });
    const runId = t.runHandle().runIds.mlflow?.runId;
    const warning = lines.find((l) => /TLS certificate verification is OFF/i.test(l));
    const stored = runId ? await history(runId) : 0;
    console.log(
      `reliability: MLflow TLS insecure — ${mlflowTls.served - before} requests served, ${stored}/${POINTS} points on the server, warning: "${warning}" — held`,
    );
    expect(warning).toBeDefined();
    expect(t.stats().exporters[0]).toMatchObject({ exported: POINTS, failed: 0, spilled: 0 });
    expect(stored).toBe(POINTS);
    // The switch is per client: nothing turned verification off for the whole process.
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBeUndefined();
  });

  it('W&B (WANDB_BASE_URL https, no insecure setting exists): always verifies, even with the MLflow switch set', async () => {
    const before = { handshakes: wandbTls.handshakeFailures, requests: wandb.requests.length };
    const { logger, lines } = collectingLogger('debug');
    const t = createWandbTracker({
      mode: 'online',
      env: { WANDB_API_KEY: 'tls-check-' + 'k'.repeat(30), WANDB_BASE_URL: wandbTls.url, MLFLOW_TRACKING_INSECURE_TLS: 'true' },
      experiment: 'tls',
      runName: 'wandb',
      handleExit: false,
      logger,
      retry: { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 3, deadlineMs: 2_000 },
    });
    for (let step = 0; step < POINTS; step++) t.log({ 'training/loss': 1 / (step + 1) }, { step });
    await t.close(undefined, { timeoutMs: 2_000 });
    const lane = t.stats().exporters[0]!;
    const refused = wandbTls.handshakeFailures - before.handshakes;
    console.log(
      `reliability: W&B TLS — ${refused} handshakes refused, ${wandb.requests.length - before.requests} requests reached the server, ` +
        `lastError "${lane.lastError}" — held`,
    );
    expect(lane.lastError).toMatch(TLS_ERROR);
    expect(lines.some((l) => TLS_ERROR.test(l))).toBe(true);
    expect(refused).toBeGreaterThan(0);
    expect(wandb.requests.length - before.requests, 'no request got through').toBe(0);
  });
});
