import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNPM, run } from './commands.js';

export type PackageManager = 'npm' | 'pnpm';

/** The npmrc of a consumer project: our scope from the local registry, everything else from the usual one. */
export function consumerNpmrc(options: { registryUrl: string; authKey: string; token: string; publicRegistry: string; pnpmCacheDir: string }): string {
  return [
    `registry=${options.publicRegistry}`,
    `@metrics:registry=${options.registryUrl}`,
    `${options.authKey}:_authToken=${options.token}`,
    // The same version is republished with new bytes on every run: never trust cached metadata for it.
    'prefer-online=true',
    `cache-dir=${options.pnpmCacheDir}`,
    'audit=false',
    'fund=false',
    'update-notifier=false',
    '',
  ].join('\n');
}

/** A fresh project holding only `dependencies` (installed as a user would) plus @types/node for tsc. */
export async function installConsumer(options: {
  dir: string;
  pm: PackageManager;
  dependencies: string[];
  npmrc: string;
  typesNode: string;
  env: NodeJS.ProcessEnv;
}): Promise<void> {
  mkdirSync(options.dir, { recursive: true });
  writeFileSync(join(options.dir, '.npmrc'), options.npmrc);
  writeFileSync(
    join(options.dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', devDependencies: { '@types/node': options.typesNode } }, null, 2),
  );
  if (options.pm === 'npm') {
    await run('npm', ['install', ...options.dependencies], { cwd: options.dir, env: options.env });
  } else {
    await run(PNPM[0], [...PNPM[1], 'add', ...options.dependencies], { cwd: options.dir, env: options.env });
  }
}

export interface InstalledPackage {
  name: string;
  /** Where the package really is (symlinks resolved). */
  realDir: string;
  manifest: Record<string, unknown>;
}

/**
 * Every @metrics package on disk in the project, wherever the package manager put it: npm's flat or nested
 * layout (`node_modules/@metrics/x/node_modules/@metrics/core`) or pnpm's `.pnpm` store layout.
 */
export function installedMetricsPackages(projectDir: string): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const seen = new Set<string>();
  const scan = (nodeModules: string): void => {
    if (!existsSync(nodeModules)) return;
    const real = realpathSync(nodeModules);
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of readdirSync(nodeModules)) {
      if (entry === '.pnpm') {
        for (const e of readdirSync(join(nodeModules, entry))) scan(join(nodeModules, entry, e, 'node_modules'));
      } else if (entry.startsWith('@')) {
        for (const name of readdirSync(join(nodeModules, entry))) {
          const dir = join(nodeModules, entry, name);
          if (entry === '@metrics') {
            const realDir = realpathSync(dir);
            const manifest = JSON.parse(readFileSync(join(realDir, 'package.json'), 'utf8')) as Record<string, unknown>;
            found.set(realDir, { name: `@metrics/${name}`, realDir, manifest });
          }
          scan(join(dir, 'node_modules'));
        }
      } else if (!entry.startsWith('.')) {
        scan(join(nodeModules, entry, 'node_modules'));
      }
    }
  };
  scan(join(projectDir, 'node_modules'));
  return [...found.values()];
}

/** True when a package of this name is installed anywhere in the project. */
export function isInstalled(projectDir: string, name: string): boolean {
  if (existsSync(join(projectDir, 'node_modules', name))) return true;
  const pnpmDir = join(projectDir, 'node_modules', '.pnpm');
  return existsSync(pnpmDir) && readdirSync(pnpmDir).some((e) => e.startsWith(`${name.replace('/', '+')}@`));
}
