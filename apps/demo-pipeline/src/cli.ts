import { parseArgs } from 'node:util';
import { ALL_BACKENDS, type Backend } from './pipeline.js';

export const USAGE = `Usage: pnpm demo [-- options]      (at the repository root; or in apps/demo-pipeline: pnpm start [options])

Trains a small neural network (an MLP written in TypeScript) on the Iris data set and tracks the run
with every @metrics backend: TensorBoard files, a W&B run, MLflow.

Options:
  --epochs <n>          training epochs (default 100)
  --backends <list>     comma-separated: tensorboard,mlflow,wandb (default: all three)
  --model <mlp|tfjs>    who trains: the hand-written MLP (default) or TensorFlow.js via @metrics/tfjs
  --out <dir>           output directory (default ./.metrics-demo)
  --seed <n>            random seed for the data split, weights and batches (default 42)
  --run-name <name>     run name (default iris-mlp-<timestamp>-<6 hex>-s<seed>)
  --quiet               only the final summary
  -h, --help            show this help

Environment:
  MLFLOW_TRACKING_URI   a live MLflow server (else MLflow writes a replayable spool under --out)
  WANDB_API_KEY         W&B online (else an offline run under --out, upload later with \`wandb sync\`)
`;

export interface CliOptions {
  help: boolean;
  epochs: number;
  backends: Backend[];
  model: 'mlp' | 'tfjs';
  out: string;
  seed: number;
  runName?: string;
  quiet: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveInt(flag: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number ≥ ${min} (got "${raw}")`);
  return n;
}

/**
 * `pnpm demo -- --epochs 20` hands the script `-- --epochs 20` (pnpm passes the separator through), and
 * `parseArgs` would read everything after `--` as positionals: leading separators are dropped first.
 */
function withoutLeadingSeparators(argv: readonly string[]): string[] {
  let i = 0;
  while (argv[i] === '--') i++;
  return argv.slice(i);
}

export function parseCli(argv: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: withoutLeadingSeparators(argv),
      options: {
        epochs: { type: 'string' },
        backends: { type: 'string' },
        model: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string' },
        'run-name': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const backends = (values.backends ?? ALL_BACKENDS.join(','))
    .split(',')
    .map((b) => b.trim().toLowerCase())
    .filter(Boolean);
  for (const b of backends)
    if (!ALL_BACKENDS.includes(b as Backend)) throw new UsageError(`--backends: unknown backend "${b}" (choose from ${ALL_BACKENDS.join(', ')})`);
  if (backends.length === 0) throw new UsageError('--backends must name at least one backend');
  const model = (values.model ?? 'mlp').trim().toLowerCase();
  if (model !== 'mlp' && model !== 'tfjs') throw new UsageError(`--model: unknown model "${values.model}" (choose mlp or tfjs)`);
  return {
    help: values.help ?? false,
    epochs: positiveInt('epochs', values.epochs, 100),
    backends: [...new Set(backends)] as Backend[],
    model,
    out: values.out ?? './.metrics-demo',
    seed: positiveInt('seed', values.seed, 42, 0),
    runName: values['run-name'],
    quiet: values.quiet ?? false,
  };
}
