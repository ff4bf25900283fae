/**
 * Runs a TypeScript child (sources via the alias hook) without blocking this process's event loop: the
 * loopback servers the child talks to live in this process.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** cwd: tooling/reliability. Kills the child (by its pid) after `timeoutMs`. */
export function runTsChild(script: string, args: string[], options: { env: NodeJS.ProcessEnv; timeoutMs: number; nodeArgs?: string[] }): Promise<ChildResult> {
  const cwd = join(import.meta.dirname, '../..');
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), '--import', 'tsx', '--import', './test/support/security-src-alias.ts', script, ...args],
      {
        cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}
