import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureVenv } from './venv.js';
import { LogTail, trackChild } from './processes.js';

export interface RunPythonOptions {
  /** argv after the script path (`sys.argv[1:]`). */
  args?: string[];
  /** Kill the script after this long (default 120 s). */
  timeoutMs?: number;
  /** Extra environment, merged over the venv's. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface RunPythonRaw {
  stdout: string;
  stderr: string;
}

/**
 * Runs `code` with the venv's python. The script must print one JSON document as its last non-empty
 * stdout line; that document is returned parsed. A non-zero exit throws with the tail of stderr.
 */
export async function runPython<T = unknown>(code: string, opts: RunPythonOptions = {}): Promise<T> {
  const { stdout } = await runPythonRaw(code, opts);
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) throw new Error('runPython: the script printed nothing on stdout (expected a JSON line)');
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`runPython: last stdout line is not JSON: ${last.slice(0, 500)}\n--- stdout tail ---\n${lines.slice(-20).join('\n')}`);
  }
}

/** Like runPython but returns the raw output instead of parsing JSON. */
export async function runPythonRaw(code: string, opts: RunPythonOptions = {}): Promise<RunPythonRaw> {
  const venv = await ensureVenv();
  const dir = mkdtempSync(join(tmpdir(), 'metrics-oracle-py-'));
  const script = join(dir, 'script.py');
  writeFileSync(script, code);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  try {
    return await new Promise<RunPythonRaw>((resolve, reject) => {
      const child = spawn(venv.python, [script, ...(opts.args ?? [])], {
        cwd: opts.cwd ?? dir,
        env: { ...venv.env, ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      trackChild(child);
      let stdout = '';
      let stderr = '';
      const errTail = new LogTail(200);
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        errTail.push(c);
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`runPython: could not start ${venv.python}: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new Error(`runPython: timed out after ${timeoutMs} ms\n--- stderr tail ---\n${errTail.text(40)}`));
        } else if (code !== 0) {
          reject(new Error(`runPython: exit ${code ?? signal}\n--- stderr tail ---\n${errTail.text(40)}`));
        } else {
          resolve({ stdout, stderr });
        }
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
