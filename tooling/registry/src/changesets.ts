import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { run } from './commands.js';

export type Bump = 'none' | 'patch' | 'minor' | 'major';
export const BUMPS: Bump[] = ['none', 'patch', 'minor', 'major'];

export interface PlannedRelease {
  name: string;
  type: Bump;
  oldVersion: string;
  newVersion: string;
}

const changesetBin = join(dirname(createRequire(import.meta.url).resolve('@changesets/cli')), '..', 'bin.js');

/** Runs the changesets CLI in `cwd`. */
export function changeset(cwd: string, args: string[]) {
  return run(process.execPath, [changesetBin, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0' } });
}

/** `changeset status --output <file>`: the release plan the pending changesets make. */
export async function releasePlan(cwd: string): Promise<PlannedRelease[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'metrics-changeset-status-')), 'status.json');
  // changesets joins --output onto the working directory, so it gets a relative path.
  await changeset(cwd, ['status', '--output', relative(cwd, out)]);
  return (JSON.parse(readFileSync(out, 'utf8')) as { releases: PlannedRelease[] }).releases;
}

/** The highest bump each package is given across the pending changeset files, read from their frontmatter. */
export function declaredBumps(changesetDir: string): Map<string, Bump> {
  const bumps = new Map<string, Bump>();
  for (const file of readdirSync(changesetDir).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const frontmatter = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(changesetDir, file), 'utf8'))?.[1] ?? '';
    for (const [, name, bump] of frontmatter.matchAll(/^\s*["']?([^"':]+)["']?\s*:\s*(patch|minor|major)\s*$/gm)) {
      const current = bumps.get(name!) ?? 'none';
      if (BUMPS.indexOf(bump as Bump) > BUMPS.indexOf(current)) bumps.set(name!, bump as Bump);
    }
  }
  return bumps;
}
