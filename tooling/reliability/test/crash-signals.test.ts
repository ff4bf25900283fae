import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowServer, type MlflowServer } from '@metrics/oracle';
import { isPrefixRange, removeTempDirs, sleep, startChild, tempDir } from './support/faults-children.js';
import { metricHistory, runInfo } from './support/faults-mlflow.js';
import { eventFileIn, historyRows, leetInspect, loadEventFiles } from './support/faults-readers.js';

const loss = (step: number) => 1 / (step + 1);
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

let server: MlflowServer;
beforeAll(async () => {
  server = await startMlflowServer();
});
afterAll(async () => {
  removeTempDirs();
  await server?.stop();
});

describe('SIGINT / SIGTERM while logging', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: runs end as killed with everything logged before the signal`, async () => {
      const dir = tempDir(`rel-${signal.toLowerCase()}-`);
      const child = startChild('signal-facade.ts', [server.url, dir, `signal-${signal}`]);
      const ids = JSON.parse((await child.waitFor(/IDS (.+)\n/))[1]!) as { mlflowRunId: string; tbLogDir: string; wandbRunDir: string };
      await sleep(300); // logging goes on
      const lastLogged = Math.max(...[...child.stdout().matchAll(/LOGGED (\d+)/g)].map((m) => Number(m[1])));
      child.proc.kill(signal);
      const exit = await child.exited;
      expect(exit.signal, child.stderr()).toBe(signal);
      expect(child.stderr()).not.toMatch(/❌/);

      // MLflow: the run is KILLED and holds a contiguous prefix reaching at least the last reported step.
      expect((await runInfo(server.url, ids.mlflowRunId)).status).toBe('KILLED');
      const ml = await metricHistory(server.url, ids.mlflowRunId, 'training/loss');
      expect(isPrefixRange(ml.map((p) => p.step))).toBe(true);
      expect(ml.length).toBeGreaterThan(lastLogged);
      expect(ml.filter((p) => p.value !== loss(p.step))).toEqual([]);

      // TensorBoard: its flush interval is an hour, so these points are there only because close() flushed.
      const file = eventFileIn(ids.tbLogDir);
      const tb = (await loadEventFiles([file]))[file]!.scalars['training/loss'] ?? [];
      expect(isPrefixRange(tb.map(([s]) => s))).toBe(true);
      expect(tb.length).toBeGreaterThan(lastLogged);
      expect(tb.filter(([s, v]) => v !== Math.fround(loss(s)))).toEqual([]);

      // W&B offline: wandb's reader finds the exit record with the signal's exit code, after all the rows.
      const { code, records, stderr } = await leetInspect(ids.wandbRunDir);
      expect(code, stderr).toBe(0);
      const exitRecord = records.find((r) => r.type === 'exit') as { exit: { exit_code?: number } } | undefined;
      expect(exitRecord?.exit.exit_code).toBe(EXIT_CODES[signal]);
      expect(records.at(-1)?.type).toBe('final');
      const rows = historyRows(records);
      expect(isPrefixRange(rows.map((r) => r.global_step!))).toBe(true);
      expect(rows.length).toBeGreaterThan(lastLogged);

      console.log(
        `reliability: ${signal} after step ${lastLogged} — MLflow run KILLED with ${ml.length} points, TensorBoard ${tb.length}, ` +
          `W&B ${rows.length} rows + exit ${EXIT_CODES[signal]}; process died of ${exit.signal} — held`,
      );
    }, 180_000);
  }
});
