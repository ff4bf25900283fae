/**
 * The load figure in the bench: BENCH_LOAD_WRITERS (16) processes × BENCH_LOAD_PER_WRITER (250,000)
 * points to one MLflow server on PostgreSQL with 4 workers, restarted twice mid-run (SIGKILL, then a graceful
 * stop), then checked: every point on the server exactly once, by SQL and by the MLflow client. The scenario and
 * its checks are the reliability suite's load test's (runMlflowLoad / checkMlflowLoad in @metrics/oracle).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report } from '@metrics/bench';
import { checkMlflowLoad, loadBudgetMs, runMlflowLoad, startMlflowServer } from '@metrics/oracle';

const PKG = '@metrics/mlflow';
const KEYS = 10;
const WRITERS = Number(process.env.BENCH_LOAD_WRITERS ?? 16);
const PER_WRITER = Math.floor(Number(process.env.BENCH_LOAD_PER_WRITER ?? 250_000) / KEYS) * KEYS;

export const loadEnabled = WRITERS > 0 && PER_WRITER > 0;

export async function benchLoad(): Promise<void> {
  const server = await startMlflowServer({ store: 'postgresql', workers: 4 });
  const spill = mkdtempSync(join(tmpdir(), 'mlflow-bench-load-'));
  try {
    let n = 0;
    const run = await runMlflowLoad(server, {
      writers: WRITERS,
      perWriter: PER_WRITER,
      keys: KEYS,
      experiment: 'bench-load',
      budgetMs: loadBudgetMs(WRITERS * PER_WRITER),
      writer: { script: join(import.meta.dirname, 'load-writer.ts') },
      spillDir: () => mkdtempSync(join(spill, `writer-${n++}-`)),
    });
    const check = await checkMlflowLoad(server, run);
    const where = `load ${WRITERS}×${PER_WRITER.toLocaleString('en-US')} → PostgreSQL, 4 workers, 2 restarts`;
    const figure = (name: string, value: number, unit: string) => report({ package: PKG, name: `${where}: ${name}`, value, unit });
    figure('points logged', run.total, 'points');
    figure('time until every writer closed', run.seconds, 's');
    figure('delivered', run.total / run.seconds, 'points/s');
    figure('restarts while writing', run.restarts.length, 'restarts');
    for (const [i, r] of run.restarts.entries()) {
      const how = r.how === 'kill' ? 'SIGKILL' : 'graceful stop';
      figure(`restart ${i + 1} (${how}): points stored when it went down`, r.atStored, 'points');
      figure(`restart ${i + 1} (${how}): server down`, r.downtimeMs / 1000, 's');
    }
    figure('points spooled to disk by the writers', sum(check.writers.map((w) => w.stats.spilled)), 'points');
    figure('retried by the writers (points × attempts)', sum(check.writers.map((w) => w.stats.retried)), 'points');
    report({
      package: PKG,
      name: `${where}: rows in the backend store (SQL)`,
      value: check.rows,
      unit: 'points',
      peer: 'points logged',
      peerValue: run.total,
      ratio: check.rows / run.total,
    });
    figure('exactly-once problems by SQL (0 = every point once)', check.sqlProblems.length, 'problems');
    figure('exactly-once problems by the MLflow client (0 = every point once)', check.clientProblems.length, 'problems');
    figure('writer problems (0 = all delivered, none failed or dropped)', check.runProblems.length, 'problems');
    const problems = [...check.runProblems, ...check.sqlProblems, ...check.clientProblems];
    if (problems.length > 0) throw new Error(`bench: the load run lost or doubled points:\n${problems.slice(0, 20).join('\n')}`);
  } finally {
    await server.stop();
    rmSync(spill, { recursive: true, force: true });
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
