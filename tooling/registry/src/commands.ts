import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: without the npm_config_* / pnpm variables a parent `pnpm test` sets,
 * without the monorepo's node_modules/.bin on PATH, and without tracker variables (WANDB_*, MLFLOW_*…)
 * that would change what the programs do. Nothing of the monorepo can reach a consumer project this way.
 */
export function userEnv(repoRoot: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const dropped = /^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|VITEST|TS_NODE|MLFLOW_|WANDB_|TENSORBOARD_|METRICS_|INIT_CWD$)/i;
  for (const [key, value] of Object.entries(process.env)) if (!dropped.test(key)) env[key] = value;
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.startsWith(repoRoot))
    .join(delimiter);
  return { ...env, ...extra };
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`\`${command} ${args.join(' ')}\` in ${options.cwd} failed (${code ?? signal}):\n${stdout}\n${stderr}`));
    });
  });
}

/** Runs `tasks` at most `limit` at a time (the machine has 2 cores; installs also wait on the network). */
export async function inParallel<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** pnpm as the README pins it (a dev dependency here: no npx round trip per call). */
export const PNPM = [process.execPath, [join(dirname(createRequire(import.meta.url).resolve('pnpm')), 'bin', 'pnpm.cjs')]] as const;
