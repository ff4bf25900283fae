import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureVenv } from '@metrics/oracle';
import { itemsToObject, readWandbFile } from '../log/records.js';
import { startFakeWandbServer, type FakeWandbServer } from '../testing/fake-wandb-server.js';
import { leetInspect, runWandbCli } from './tools.js';

const here = dirname(fileURLToPath(import.meta.url));
let server: FakeWandbServer;
beforeAll(async () => {
  await ensureVenv();
  server = await startFakeWandbServer();
}, 900_000);
afterAll(() => server?.close());

function crashChild(dir: string, runId: string): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'crash-child.ts'), dir, runId], {
      cwd: join(here, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stdout }));
  });
}

describe('a process killed while logging leaves a run wandb can read and sync', () => {
  it('keeps every record up to the last complete one; wandb sync uploads them and marks the run failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-crash-'));
    const { signal, stdout } = await crashChild(dir, 'crash001');
    expect(signal).toBe('SIGKILL');
    expect(stdout).toContain('flushed');
    const runDir = join(dir, 'wandb', readdirSync(join(dir, 'wandb')).find((n) => n.startsWith('offline-run-'))!);
    const ours = readWandbFile(join(runDir, 'run-crash001.wandb'));
    expect(ours.headerOk).toBe(true);
    expect(ours.records.some((r) => r.type === 'exit')).toBe(false);
    const rows = ours.records.filter((r) => r.type === 'history').map((r) => itemsToObject(r.data.item));
    // Everything flushed before the kill is there, in order, with no gap.
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    expect(rows.map((r) => r._step)).toEqual([...Array(rows.length).keys()]);
    expect(rows.slice(0, 1000).map((r) => r['training/loss'])).toEqual([...Array(1000).keys()]);

    const { records } = await leetInspect(runDir);
    expect(records.map((r) => r.type)).toEqual(ours.records.map((r) => r.type));

    const res = await runWandbCli(['sync', '--yes', runDir], { WANDB_BASE_URL: server.url, WANDB_API_KEY: 'c'.repeat(40) });
    expect(res.code, res.stderr).not.toBeNull();
    const history = server.history('crash001');
    expect(history.length).toBe(rows.length);
    expect(server.runs.get('crash001')).toMatchObject({ complete: true, exitcode: 1 }); // no exit record → failed
  }, 300_000);
});
