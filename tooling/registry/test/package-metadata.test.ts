import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@metrics/config/vitest';
import { run } from '../src/commands.js';
import { publicPackages } from '../src/publish.js';

const packages = publicPackages(repoRoot);
const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

describe('published package metadata', () => {
  it('the LICENSE is MIT with the authors line', () => {
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 The @metrics authors\n/);
  });

  it.each(packages)('$name: license, repository, engines, and dependency ranges', ({ dir }) => {
    const pkg = manifest(dir);
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(license);
    expect(pkg.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/metrics-dev/metrics.git',
      directory: dir.slice(repoRoot.length + 1),
    });
    expect(pkg.engines).toEqual({ node: '^20.6.0 || ^22.0.0 || ^24.0.0' });
    // Libraries take ranges, so a user's application can share one copy; workspace ranges become ^x.y.z.
    for (const [dep, range] of Object.entries<string>({ ...pkg.dependencies, ...pkg.peerDependencies })) {
      expect(`${dep}@${range}`).toMatch(/@(workspace:\^|\^\d|>=)/);
    }
  });

  it('npm pack puts LICENSE, README.md and package.json in every tarball', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', ...packages.map((p) => p.dir)], { cwd: repoRoot, env: process.env });
    const packed = JSON.parse(stdout) as { name: string; files: { path: string }[] }[];
    expect(packed.map((p) => p.name).sort()).toEqual(packages.map((p) => p.name).sort());
    for (const p of packed) {
      const paths = p.files.map((f) => f.path);
      expect({ name: p.name, has: ['LICENSE', 'README.md', 'package.json'].filter((f) => paths.includes(f)) }).toEqual({
        name: p.name,
        has: ['LICENSE', 'README.md', 'package.json'],
      });
    }
  });
});
