/**
 * The W&B online client, through the unified facade, against the loopback W&B server from
 * `@metrics/wandb/testing` behind the fault proxy: a 429 storm with Retry-After, 503s and dropped
 * connections on file_stream, faults on run creation and uploads, 5,000 history rows. Every row is
 * stored once, and was accepted once; a custom in-memory tracker next to it gets every point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '@metrics/oracle';
import { createLogger } from '@metrics/core';
import type { TrackingRecord } from '@metrics/core/backend';
import { createExperimentTracker, defineTracker } from '@metrics/unified';
import { startFakeWandbServer, type FakeWandbServer } from '@metrics/wandb/testing';
import { sleep } from './support/faults-children.js';

const ROWS = 5_000;
const RUN = 'storm5k';
const API_KEY = 'reliability-' + 'k'.repeat(40);
const loss = (step: number) => 1 / (step + 1);

let server: FakeWandbServer;
let proxy: FaultProxy;
beforeAll(async () => {
  server = await startFakeWandbServer();
  proxy = await startFaultProxy({ target: server.url, seed: 5_000 });
});
afterAll(async () => {
  await proxy?.stop();
  await server?.close();
});

describe('W&B online under faults, through the facade', () => {
  it('5,000 history rows arrive exactly once through a 429 storm, 5xx and resets', async () => {
    const lines: string[] = [];
    const memory: TrackingRecord[] = [];
    server.injectFaults('UpsertBucket', [{ status: 429, retryAfterS: 0.05 }, { reset: true }, { status: 503 }]);
    server.injectFaults('upload', [{ status: 500 }, { reset: true }]);
    proxy.setFaults({ status429: { firstN: 15, ratio: 0.1, retryAfterS: 0.05 }, status503: 0.1, resetRatio: 0.1, pathFilter: /file_stream/ });
    const tracker = await createExperimentTracker({
      experimentLoggingInterval: 1, // every step's own point is checked in the files
      experiment: 'reliability-wandb',
      runName: 'storm',
      tensorboardLogging: false,
      mlflowLogging: false,
      wandbLogging: true,
      wandbMode: 'online',
      profiling: false,
      env: {},
      logger: createLogger({ level: 'info', sink: (_l, line) => lines.push(line) }),
      trackers: [defineTracker({ name: 'memory', write: (records) => void memory.push(...records) })],
      backendOptions: {
        wandb: {
          apiKey: API_KEY,
          baseUrl: proxy.url,
          runId: RUN,
          env: {},
          // Small requests (many of them meet a fault) and quick retries (the test stays short).
          fileStream: { intervalMs: 20, heartbeatMs: 60_000, maxRequestBytes: 16_000 },
          retry: { initialDelayMs: 5, maxDelayMs: 100, deadlineMs: 120_000, maxAttempts: 60 },
        },
      },
    });
    for (let step = 0; step < ROWS; step++) {
      tracker.log({ 'training/loss': loss(step), 'training/accuracy': step / ROWS }, { step });
      if (step % 250 === 0) await sleep(2); // a training loop yields now and then; requests flow meanwhile
    }
    await tracker.close();
    const faults = proxy.stats().faults;
    proxy.clear();

    const run = server.runs.get(RUN)!;
    expect(run).toMatchObject({ complete: true, exitcode: 0 });
    const history = server.history(RUN);
    expect(history).toHaveLength(ROWS);
    expect(history.map((h) => h._step)).toEqual([...Array(ROWS).keys()]);
    expect(history.map((h) => h.global_step)).toEqual([...Array(ROWS).keys()]);
    const wrong = history.filter((h) => h['training/loss'] !== loss(h.global_step as number) || h['training/accuracy'] !== (h.global_step as number) / ROWS);
    expect(wrong).toEqual([]);
    // Each line was accepted by exactly one successful file_stream request: no resend after success.
    const accepted = server.requests
      .filter((r) => r.kind === 'file_stream' && r.status === 200)
      .reduce((n, r) => n + ((r.json as { files?: Record<string, { content: string[] }> }).files?.['wandb-history.jsonl']?.content.length ?? 0), 0);
    expect(accepted).toBe(ROWS);

    const stats = tracker.stats().exporters;
    expect(stats.find((e) => e.name === 'wandb')).toMatchObject({ exported: 2 * ROWS, failed: 0, dropped: 0 });
    expect(stats.find((e) => e.name === 'memory')).toMatchObject({ exported: 2 * ROWS, failed: 0, dropped: 0 });
    expect(memory.filter((r) => r.kind === 'scalar')).toHaveLength(2 * ROWS);
    const native = tracker.backend('wandb')!.native() as {
      fileStream: { stats: { requests: number; failedRequests: number } };
      retries: { graphql: number; fileStream: number; upload: number };
    };
    const stream = native.fileStream.stats;
    expect(stream.failedRequests).toBe(0);
    // every fault the proxy injected on file_stream cost one retry, counted by the client
    expect(native.retries.fileStream).toBe(faults.status429 + faults.status503 + faults.reset);
    expect(native.retries.graphql + native.retries.upload).toBe(5);
    // …and stats() shows the same, beside the lane's counters: nothing queued or lost after export.
    const own = stats.find((e) => e.name === 'wandb')!.backend;
    expect(own).toEqual({ queued: 0, retried: native.retries.fileStream + 5, dropped: 0, failed: 0 });
    expect(faults.status429).toBeGreaterThanOrEqual(15);
    expect(faults.status503 + faults.reset).toBeGreaterThan(0);
    const serverSide = server.requests.filter((r) => r.status !== undefined && r.status !== 200).length;
    expect(serverSide).toBe(5); // the 3 UpsertBucket and 2 upload faults, each retried
    expect(lines.some((l) => l.includes('429'))).toBe(true);
    for (const l of lines) expect(l).not.toContain(API_KEY);

    console.log(
      `reliability: W&B online via facade, ${ROWS} rows (${2 * ROWS} points) — file_stream faults: ${faults.status429}×429 (Retry-After), ` +
        `${faults.status503}×503, ${faults.reset} resets; run-creation/upload faults: ${serverSide}; ${stream.requests} file_stream requests, ` +
        `0 failed; client retries: file_stream ${native.retries.fileStream}, GraphQL ${native.retries.graphql}, uploads ${native.retries.upload} ` +
        `(stats().exporters[wandb].backend.retried ${own!.retried}, beside the lane's retried ${stats.find((e) => e.name === 'wandb')!.retried}: ` +
        `these retries happen after export); ` +
        `rows stored ${history.length}, accepted once each (${accepted}); memory tracker got ${memory.length} — held`,
    );
  }, 180_000);
});
