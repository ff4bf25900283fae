import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVenv } from '@metrics/oracle';

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the oracle venv's `wandb` CLI with a private HOME and working directory; never skips. */
export async function runWandbCli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ToolRun> {
  const venv = await ensureVenv();
  const home = mkdtempSync(join(tmpdir(), 'metrics-wandb-home-'));
  return new Promise((resolve, reject) => {
    const child = spawn(venv.bin('wandb'), args, {
      cwd: home, // wandb writes its own logs under <cwd>/wandb/: keep them out of the repository
      env: { ...venv.env, HOME: home, WANDB_CONFIG_DIR: home, WANDB_ERROR_REPORTING: 'false', WANDB_SILENT: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface InspectedRecord {
  num?: number;
  type: string;
  [k: string]: unknown;
}

/** `wandb leet inspect --json <path>`: the real Go transaction-log reader, one JSON record per line. */
export async function leetInspect(path: string): Promise<{ records: InspectedRecord[]; run: ToolRun }> {
  const run = await runWandbCli(['leet', 'inspect', '--json', path]);
  const records = run.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l.replace(/:(-?Infinity|NaN)([,}])/g, ':"$1"$2')) as InspectedRecord);
  return { records, run };
}
