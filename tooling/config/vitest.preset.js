import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// Plain JS (not TS): vitest loads a config's workspace imports with Node directly.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Tests run against the TypeScript sources of sibling packages, not their build output, so a test run
 * never depends on a stale `dist/`. Each `exports` subpath `./x` maps to `src/x.ts` (or `src/x/index.ts`).
 */
function workspaceAliases() {
  const aliases = [];
  const base = join(repoRoot, 'packages');
  if (!existsSync(base)) return aliases;
  for (const name of readdirSync(base)) {
    const pkgDir = join(base, name);
    const pkgJson = join(pkgDir, 'package.json');
    if (!existsSync(pkgJson)) continue;
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
    const subpaths = Object.keys(pkg.exports ?? { '.': '' }).filter((s) => s.startsWith('.') && !s.endsWith('.json'));
    for (const sub of subpaths) {
      const stem = sub === '.' ? 'index' : sub.slice(2);
      const file = [join(pkgDir, 'src', `${stem}.ts`), join(pkgDir, 'src', stem, 'index.ts')].find((c) => existsSync(c));
      if (!file) continue;
      const id = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
      aliases.push({ find: new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`), replacement: file });
    }
  }
  return aliases;
}

/** @param {string} name @param {import('vitest/config').UserWorkspaceConfig['test']} [extra] */
export function packageTests(name, extra = {}) {
  return defineProject({
    resolve: { alias: workspaceAliases() },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 900_000,
      ...extra,
    },
  });
}
