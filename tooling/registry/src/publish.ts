import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PNPM, run } from './commands.js';

export interface PublicPackage {
  name: string;
  version: string;
  dir: string;
}

/** The packages that are published: `packages/*` that are not private. */
export function publicPackages(repoRoot: string): PublicPackage[] {
  const base = join(repoRoot, 'packages');
  return readdirSync(base)
    .map((d) => join(base, d))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private)
    .map(({ dir, pkg }) => ({ name: pkg.name, version: pkg.version, dir }));
}

/**
 * One `pnpm -r pack` for every package (pnpm rewrites `workspace:` ranges to real ones, as `pnpm publish`
 * does) into `outDir`; returns each package's tarball.
 */
export async function packAll(repoRoot: string, packages: PublicPackage[], outDir: string, env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  await run(PNPM[0], [...PNPM[1], '-r', '--filter', './packages/*', 'pack', '--pack-destination', outDir], { cwd: repoRoot, env });
  return new Map(packages.map((p) => [p.name, join(outDir, `${p.name.slice(1).replace('/', '-')}-${p.version}.tgz`)]));
}

/** The manifest inside a tarball, as the registry will serve it. */
export function tarballManifest(tarball: string): Record<string, unknown> & { name: string; version: string } {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

/**
 * Publishes a tarball with the registry's publish request (the PUT `npm publish` sends): one HTTP request
 * instead of one npm process per package.
 */
export async function publishTarball(registryUrl: string, token: string, tarball: string): Promise<void> {
  const bytes = readFileSync(tarball);
  const manifest = tarballManifest(tarball);
  const file = basename(tarball);
  const body = {
    _id: manifest.name,
    name: manifest.name,
    'dist-tags': { latest: manifest.version },
    versions: {
      [manifest.version]: {
        ...manifest,
        _id: `${manifest.name}@${manifest.version}`,
        dist: {
          shasum: createHash('sha1').update(bytes).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
          tarball: `${registryUrl}${manifest.name}/-/${file}`,
        },
      },
    },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: bytes.toString('base64'), length: bytes.length } },
  };
  const res = await fetch(`${registryUrl}${manifest.name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`publishing ${manifest.name}@${manifest.version} failed: ${res.status} ${await res.text()}`);
}
