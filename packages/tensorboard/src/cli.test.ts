import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@metrics/core';
import { createTensorBoardTracker } from './tracker.js';

const here = dirname(fileURLToPath(import.meta.url));
let logDir: string;

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'tb-cli-'));
  const t = createTensorBoardTracker({ logDir, experiment: 'exp', runName: 'r1', handleExit: false, logger: createLogger({ level: 'silent' }) });
  for (let step = 3; step < 10; step++) t.log({ 'training/loss': step / 2 }, { step });
  t.logText('model/summary', 'hello', { step: 4 });
  await t.close();
});
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

describe('metrics-tensorboard inspect', () => {
  it('prints runs, tags, counts, step ranges and last values', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'cli.ts'), 'inspect', logDir], { cwd: join(here, '..'), encoding: 'utf8' });
    expect(out).toContain('run exp/r1  (1 file)');
    expect(out).toMatch(/training\/loss {2}scalar {2}count=7 {2}steps=3\.\.9 {2}last=4\.5/);
    expect(out).toMatch(/model\/summary {2}text {2}count=1 {2}steps=4\.\.4 {2}last="hello"/);
  });

  it('exits 2 with usage on bad arguments', () => {
    expect(() => execFileSync(process.execPath, ['--import', 'tsx', join(here, 'cli.ts')], { cwd: join(here, '..'), stdio: 'pipe' })).toThrow(/status 2|Command failed/);
  });
});
