import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '@metrics/config/vitest';
import { BUMPS, changeset, declaredBumps, releasePlan } from '../src/changesets.js';
import { run } from '../src/commands.js';
import { publicPackages } from '../src/publish.js';

const packages = publicPackages(repoRoot);
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

describe('the pending release plan', () => {
  it('bumps each package as its changesets say, a dependent by a patch at most, and nothing to 1.0.0', async () => {
    const plan = await releasePlan(repoRoot);
    const declared = declaredBumps(join(repoRoot, '.changeset'));
    for (const p of packages) {
      const release = plan.find((r) => r.name === p.name);
      const intended = declared.get(p.name);
      if (intended) expect({ name: p.name, type: release?.type }).toEqual({ name: p.name, type: intended });
      else expect(['none', 'patch', undefined]).toContain(release?.type);
    }
    for (const r of plan) {
      expect(r.type, r.name).not.toBe('major');
      expect(r.newVersion.startsWith('0.'), `${r.name} → ${r.newVersion}`).toBe(true);
    }
  });
});

describe('versioning a copy of the workspace', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** The workspace's manifests and changesets config in a fresh git repository, with one changeset. */
  async function workspaceWith(changesetText: string): Promise<string> {
    dir = mkdtempSync(join(tmpdir(), 'metrics-versioning-'));
    for (const f of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) cpSync(join(repoRoot, f), join(dir, f));
    for (const p of packages) {
      const rel = p.dir.slice(repoRoot.length + 1);
      mkdirSync(join(dir, rel), { recursive: true });
      cpSync(join(p.dir, 'package.json'), join(dir, rel, 'package.json'));
    }
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules')); // the changelog generator
    const git = (...args: string[]) => run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir!, env: process.env });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'workspace');
    writeFileSync(join(dir, '.changeset', 'the-change.md'), changesetText);
    return dir;
  }

  it("a backend's minor release leaves the facade alone (its peer range still holds) and writes a changelog", async () => {
    const ws = await workspaceWith('---\n"@metrics/tensorboard": minor\n---\n\nA new TensorBoard feature.\n');
    const plan = await releasePlan(ws);
    const unifiedBefore = manifest(join(ws, 'packages/unified'));
    expect(plan.find((r) => r.name === '@metrics/tensorboard')).toMatchObject({ type: 'minor', newVersion: bumpMinor(versionOf('@metrics/tensorboard')) });
    expect(plan.find((r) => r.name === '@metrics/unified')?.type ?? 'none').toBe('none');

    await changeset(ws, ['version']);
    expect(manifest(join(ws, 'packages/tensorboard')).version).toBe(bumpMinor(versionOf('@metrics/tensorboard')));
    const changelog = readFileSync(join(ws, 'packages/tensorboard/CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(`## ${bumpMinor(versionOf('@metrics/tensorboard'))}`);
    expect(changelog).toContain('A new TensorBoard feature.');
    const unifiedAfter = manifest(join(ws, 'packages/unified'));
    expect(unifiedAfter.version).toBe(unifiedBefore.version);
    expect(unifiedAfter.peerDependencies).toEqual(unifiedBefore.peerDependencies);
    expect(existsSync(join(ws, 'packages/unified/CHANGELOG.md'))).toBe(false);
  });

  it('a core minor release gives its dependents a patch, never a major', async () => {
    const ws = await workspaceWith('---\n"@metrics/core": minor\n---\n\nA new core feature.\n');
    const plan = await releasePlan(ws);
    expect(plan.find((r) => r.name === '@metrics/core')).toMatchObject({ type: 'minor' });
    for (const p of packages.filter((p) => p.name !== '@metrics/core')) {
      const release = plan.find((r) => r.name === p.name);
      expect({ name: p.name, type: release?.type }).toEqual({ name: p.name, type: 'patch' });
    }
    expect(plan.map((r) => BUMPS.indexOf(r.type)).every((i) => i < BUMPS.indexOf('major'))).toBe(true);
  });
});

function versionOf(name: string): string {
  return packages.find((p) => p.name === name)!.version;
}

function bumpMinor(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${minor! + 1}.0`;
}
