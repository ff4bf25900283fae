import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { readEventFile } from '../reader/index.js';

const here = dirname(fileURLToPath(import.meta.url));

it('flushes buffered events synchronously when the process exits without close()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-exit-'));
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(here, 'exit-child.ts'), dir], { cwd: join(here, '../..'), stdio: 'pipe' });
    const [file] = readdirSync(dir);
    const r = readEventFile(join(dir, file!));
    expect(r.errors).toEqual([]);
    expect(r.events.slice(1).map((e) => e.step)).toEqual(Array.from({ length: 50 }, (_, s) => s));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
