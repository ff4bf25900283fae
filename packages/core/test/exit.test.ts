import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, 'exit-child.ts');

function runChild(mode: string) {
  const out = join(mkdtempSync(join(tmpdir(), 'exit-')), 'out.jsonl');
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, out, mode], { encoding: 'utf8', timeout: 20_000, cwd: join(import.meta.dirname, '..') });
  if (r.stderr) console.error(r.stderr);
  const lines = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return { r, lines };
}

describe('flush on exit', () => {
  it('a program that never calls close() still delivers everything and ends the run as finished', () => {
    const { r, lines } = runChild('forget');
    expect(r.status).toBe(0);
    expect(lines.filter((l) => l.kind === 'scalar')).toHaveLength(5);
    expect(lines.at(-1)).toEqual({ outcome: { status: 'finished' } });
  });

  it('SIGTERM flushes, ends the run as killed, and the process still dies of the signal', () => {
    const { r, lines } = runChild('signal');
    expect(r.signal).toBe('SIGTERM');
    expect(lines.filter((l) => l.kind === 'scalar')).toHaveLength(5);
    expect(lines.at(-1)).toEqual({ outcome: { status: 'killed', signal: 'SIGTERM' } });
  });

  it('an awaited close() keeps the process alive until the slow backend has everything', () => {
    const { r, lines } = runChild('slow-close');
    expect(r.status).toBe(0);
    expect(lines.filter((l) => l.kind === 'scalar')).toHaveLength(5);
    expect(lines.at(-2)).toEqual({ outcome: { status: 'finished' } });
    expect(lines.at(-1)).toEqual({ closed: true });
  });
});
