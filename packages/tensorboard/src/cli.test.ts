import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** The CLI as the `metrics-tensorboard` bin runs it, on the TypeScript sources. */
function cli(args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@metrics/source', '--import', 'tsx', join(here, 'cli.ts'), ...args], {
    cwd: join(here, '..'),
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('metrics-tensorboard inspect', () => {
  it('prints runs, tags, counts, step ranges and last values', () => {
    const r = cli(['inspect', logDir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('run exp/r1  (1 file)');
    expect(r.stdout).toMatch(/training\/loss {2}scalar {2}count=7 {2}steps=3\.\.9 {2}last=4\.5/);
    expect(r.stdout).toMatch(/model\/summary {2}text {2}count=1 {2}steps=4\.\.4 {2}last="hello"/);
  });

  it('a missing path is an error naming it: exit 1, nothing on stdout', () => {
    const missing = join(logDir, 'no-such-run');
    const r = cli(['inspect', missing]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${missing}: no such file or directory`);
  });

  it('a file instead of a log directory is an error naming it: exit 1', () => {
    const file = join(logDir, 'not-a-dir.txt');
    writeFileSync(file, 'x');
    const r = cli(['inspect', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file} is not a directory`);
  });
});

describe('metrics-tensorboard usage', () => {
  it('--help (or -h, or help) describes the tool and its command on stdout, exit 0', () => {
    for (const args of [['--help'], ['-h'], ['help'], ['inspect', '--help']]) {
      const r = cli(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('read TensorBoard event files');
      expect(r.stdout).toContain('Usage: metrics-tensorboard inspect <logdir>');
      expect(r.stdout).toMatch(/Exit codes:/);
      expect(r.stderr).toBe('');
    }
  });

  it('bad usage prints the reason and the usage on stderr, exit 2, nothing on stdout', () => {
    const cases: [string[], RegExp][] = [
      [[], /no command given/],
      [['inspekt', logDir], /unknown command "inspekt"/],
      [['inspect'], /inspect needs the log directory/],
      [['inspect', logDir, 'other'], /unexpected argument "other"/],
      [['inspect', logDir, '--verbose'], /unknown option --verbose/],
    ];
    for (const [args, reason] of cases) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(reason);
      expect(r.stderr).toContain('Usage: metrics-tensorboard inspect <logdir>');
    }
  });
});
