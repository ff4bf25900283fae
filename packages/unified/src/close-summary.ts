import type { CloseReport, Logger } from '@metrics/core';

/**
 * The facade's last words, like the W&B client's at `finish`: one status line (✅ all ok, ⚠️ naming the
 * spooled or failed backends, ❌ when every backend failed; spooling by configuration, with no server set,
 * is the plan and said plainly), then per backend its points, where the run is and the commands to view or
 * upload it. The backends say where and how (`describeRun`); nothing here knows a backend.
 */
export function printCloseSummary(report: CloseReport, runName: string, logger: Logger): void {
  const { backends } = report;
  if (backends.length === 0) return;
  const notOk = backends.filter((b) => b.status !== 'ok');
  // Spooling by configuration (no server set) is the plan: said plainly, neither ✅ nor ⚠️.
  const planned = notOk.filter((b) => b.offline);
  const how = report.status === 'finished' ? '' : ` (run ${report.status})`;
  if (notOk.length === 0) logger.success(`All experiment trackers closed${how}`);
  else if (planned.length === notOk.length)
    logger.info(`Experiment trackers closed${how}; spooled for a later replay (no server configured): ${planned.map((b) => b.name).join(', ')}`);
  else if (backends.every((b) => b.status === 'failed'))
    logger.error(`Run ${runName}: every experiment tracker failed, nothing was saved${how}: ${notOk.map(problem).join('; ')}`);
  else
    logger.warn(
      `Experiment trackers closed with problems${how}: ${notOk
        .filter((b) => !b.offline)
        .map(problem)
        .join('; ')}`,
    );
  for (const b of backends) {
    const where = b.location ? ` → ${b.location}` : '';
    logger.info(`  ${b.name}: ${b.points} records${b.status === 'ok' ? '' : ` (${b.status})`}${where}`);
    for (const command of b.commands ?? []) logger.info(`      ${command}`);
  }
}

function problem(b: CloseReport['backends'][number]): string {
  return `${b.name} ${b.status}${b.error ? ` (${b.error})` : ''}`;
}
