import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowServer, type MlflowServer } from '@metrics/oracle';
import type { ExporterStats } from '@metrics/core';
import { lastJsonLine, removeTempDirs, runChild, tempDir } from './support/faults-children.js';
import { historyProblems, metricHistory, sqliteMetricCounts } from './support/faults-mlflow.js';

const WRITERS = 4;
const KEYS = 10;
const TOTAL = Number(process.env.RELIABILITY_LOAD_POINTS ?? 1_000_000);
const PER_WRITER = Math.floor(TOTAL / WRITERS / KEYS) * KEYS;
const STEPS = PER_WRITER / KEYS;

let server: MlflowServer;
beforeAll(async () => {
  server = await startMlflowServer();
});
afterAll(async () => {
  removeTempDirs();
  await server?.stop();
});

describe('load: concurrent writers to one MLflow server', () => {
  it(`${WRITERS} processes × ${PER_WRITER} points: every point stored once`, async () => {
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        runChild('load-writer.ts', [server.url, 'reliability-load', `writer-${w}`, String(PER_WRITER), String(KEYS), tempDir('rel-load-spool-')]),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const writers = results.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return lastJsonLine<{ runId: string; loggedMs: number; totalMs: number; stats: ExporterStats }>(r.stdout);
    });
    for (const w of writers) expect(w.stats).toMatchObject({ exported: PER_WRITER, failed: 0, dropped: 0, queued: 0 });
    expect(new Set(writers.map((w) => w.runId)).size).toBe(WRITERS);

    const counts = await sqliteMetricCounts(server.dbPath);
    const total = Object.values(counts).reduce((n, c) => n + c.rows, 0);
    expect(total).toBe(WRITERS * PER_WRITER);
    const allSteps = Array.from({ length: STEPS }, (_, s) => s);
    for (const w of writers) {
      expect(counts[w.runId]).toEqual({ rows: PER_WRITER, distinct: PER_WRITER, keys: KEYS, minStep: 0, maxStep: STEPS - 1 });
      for (const k of [0, 7]) {
        const history = await metricHistory(server.url, w.runId, `training/m${k}`);
        expect(historyProblems(history, allSteps, (s) => s * KEYS + k)).toEqual([]);
      }
    }
    console.log(
      `reliability: load — ${WRITERS} processes × ${PER_WRITER} = ${total} points to one MLflow server in ${seconds.toFixed(1)} s ` +
        `(${Math.round(total / seconds)} points/s; log loops took ${writers.map((w) => w.loggedMs).join('/')} ms); ` +
        `rows per run ${writers.map((w) => counts[w.runId]!.rows).join('/')}, all distinct; sampled ${WRITERS * 2} full histories; failed 0, dropped 0 — held`,
    );
  }, 900_000);
});
