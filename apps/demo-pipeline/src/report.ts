import { relative } from 'node:path';
import type { PipelineResult } from './pipeline.js';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `│ ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' │ ')} │`;
  const rule = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  return [rule('┌', '┬', '┐'), line(rows[0]!), rule('├', '┼', '┤'), ...rows.slice(1).map(line), rule('└', '┴', '┘')].join('\n');
}

/** Where the user typed the command: `pnpm demo` runs us in the app's folder, and says where it was run in INIT_CWD. */
export function userCwd(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

function shown(path: string): string {
  const rel = relative(userCwd(), path);
  const p = rel === '' ? '.' : rel.startsWith('..') ? path : rel;
  return /\s/.test(p) ? JSON.stringify(p) : p;
}

/** The commands that open each backend's output. */
export function viewCommands(result: PipelineResult): string[] {
  const out: string[] = [];
  for (const b of result.backends) {
    if (b === 'tensorboard') out.push(`tensorboard --logdir ${shown(result.paths.tensorboard)}`);
    if (b === 'wandb') {
      if (result.wandb?.mode === 'online') out.push(`W&B run: ${result.wandb.url ?? 'https://wandb.ai'}`);
      else if (result.paths.wandbRun) out.push(`wandb sync ${shown(result.paths.wandbRun)}`);
    }
    if (b === 'mlflow') {
      const uri = result.mlflowTrackingUri?.replace(/\/+$/, '');
      if (uri) out.push(`MLflow UI: ${uri}/#/experiments (experiment "${result.experiment}", run "${result.runName}")`);
      // Points that could not be delivered wait in the spool (always, without a server).
      const spilled = result.stats.exporters.find((s) => s.name === 'mlflow')?.spilled ?? 0;
      if (!uri)
        out.push(`npx metrics-mlflow replay ${shown(result.paths.mlflowSpool)} --tracking-uri http://127.0.0.1:5000   (after \`mlflow server --port 5000\`)`);
      else if (spilled > 0) out.push(`npx metrics-mlflow replay ${shown(result.paths.mlflowSpool)} --tracking-uri ${uri}   (${spilled} points waiting)`);
    }
  }
  return out;
}

export function formatSummary(result: PipelineResult): string {
  const e = result.evaluation;
  const rows = [
    ['', 'value'],
    ['accuracy', e.accuracy.toFixed(4)],
    ['precision / recall / f1', `${e.precision.toFixed(3)} / ${e.recall.toFixed(3)} / ${e.f1.toFixed(3)}`],
    ['loss', e.loss.toFixed(4)],
    ['time', `${(result.durationMs / 1000).toFixed(1)} s`],
    ...(result.registered ? [['registered model', `${result.registered.name} v${result.registered.version}`]] : []),
  ];
  const backendRows = [['backend', 'exported', 'failed', 'dropped', 'spilled']];
  for (const s of result.stats.exporters) backendRows.push([s.name, String(s.exported), String(s.failed), String(s.dropped), String(s.spilled)]);
  return [
    `Run ${result.runName} — ${result.dataset.name}, ${result.parameters} parameters, ${result.epochs.length} epochs`,
    table(rows),
    'Points logged per backend:',
    table(backendRows),
    ...result.unavailable.map((u) => `⚠️  ${u.backend} was skipped: ${u.reason}`),
    ...(result.registrationError ? [`⚠️  model registration failed: ${result.registrationError}`] : []),
    'Look at the results:',
    ...viewCommands(result).map((c) => `  ${c}`),
  ].join('\n');
}
