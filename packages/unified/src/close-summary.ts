import type { CloseReport, Logger } from '@metrics/core';

/**
 * The facade's last words, like the W&B client's at `finish`: one status line (✅ all ok, ⚠️ naming the
 * spooled or failed backends, ❌ when every backend failed; spooling by configuration, with no server set,
 * is the plan and said plainly), then per backend its points, where the run is and the commands to view or
 * upload it. The backends say where and how (`describeRun`); nothing here knows a backend.
 */
export function printCloseSummary(report: CloseReport, runName: string, logger: Logger, children: readonly ChildReport[] = []): void {
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
  const printed = new Set<string>();
  for (const b of backends) {
    const where = b.location ? ` → ${b.location}` : '';
    logger.info(`  ${b.name}: ${b.points} records${b.status === 'ok' ? '' : ` (${b.status})`}${where}`);
    for (const command of b.commands ?? []) {
      printed.add(command);
      logger.info(`      ${command}`);
    }
  }
  if (children.length > 0) printChildren(children, backends, printed, logger);
}

/** A child run's name and close report (`ExperimentTracker.child`). */
export interface ChildReport {
  name: string;
  report: CloseReport;
}

/**
 * One line per child run (its outcome and records per backend), then the commands a child needs that the
 * parent's do not cover: a W&B offline child is a run directory of its own (its own `wandb sync`), a spooled
 * MLflow child its own replay; a TensorBoard child inside the parent's directory needs nothing more.
 */
function printChildren(children: readonly ChildReport[], parent: CloseReport['backends'], printed: Set<string>, logger: Logger): void {
  logger.info(`  child runs (${children.length}):`);
  for (const { name, report } of children.slice(0, MAX_CHILDREN_LISTED)) {
    const records = report.backends.map((b) => `${b.name} ${b.points}${b.status === 'ok' ? '' : ` (${b.status})`}`).join(', ');
    logger.info(`    ${name} (${report.status}): ${records || 'no backend'}`);
    for (const b of report.backends) {
      const parentLocation = parent.find((p) => p.name === b.name)?.location;
      if (b.location && parentLocation && b.location.startsWith(`${parentLocation}/`)) continue;
      for (const command of b.commands ?? []) {
        if (printed.has(command)) continue;
        printed.add(command);
        logger.info(`        ${command}`);
      }
    }
  }
  const rest = children.slice(MAX_CHILDREN_LISTED);
  if (rest.length === 0) return;
  const byStatus = new Map<string, number>();
  for (const { report } of rest) {
    const key = report.ok ? report.status : `${report.status} with problems`;
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }
  // Each of them said where its runs are when it started (and printed its own summary if something went wrong).
  logger.info(`    … and ${rest.length} more: ${[...byStatus].map(([status, n]) => `${n} ${status}`).join(', ')}`);
}

/** A study of thousands of trials lists the first ones and counts the rest. */
const MAX_CHILDREN_LISTED = 50;

function problem(b: CloseReport['backends'][number]): string {
  return `${b.name} ${b.status}${b.error ? ` (${b.error})` : ''}`;
}
