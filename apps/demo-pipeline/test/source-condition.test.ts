// `pnpm demo` runs every @metrics package from its TypeScript sources through the `@metrics/source` export
// condition (node --conditions=@metrics/source), so a fresh clone needs no build. Published tarballs hold
// only `dist`: the condition stays in their exports map but nothing sets it by default (Node, TypeScript and
// bundlers match only the conditions they are given), so consumers resolve `import`/`require` as before.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const packages = readdirSync(join(ROOT, 'packages')).filter((name) => existsSync(join(ROOT, 'packages', name, 'package.json')));

describe('the @metrics/source export condition', () => {
  it.each(packages)('packages/%s: every entry point names its source first, and the tarball stays dist-only', (name) => {
    const dir = join(ROOT, 'packages', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; files: string[] };
    const entries = Object.entries(pkg.exports).filter(([subpath]) => subpath !== './package.json');
    expect(entries.length).toBeGreaterThan(0);
    for (const [subpath, target] of entries) {
      const conditions = Object.keys(target as object);
      expect(conditions[0], `${subpath}`).toBe('@metrics/source');
      const source = (target as Record<string, string>)['@metrics/source']!;
      expect(source, subpath).toMatch(/^\.\/src\/.+\.ts$/);
      expect(existsSync(join(dir, source)), `${subpath} → ${source}`).toBe(true);
      // The published conditions still lead to the build.
      expect(JSON.stringify((target as Record<string, unknown>).import)).toContain('./dist/');
    }
    expect(pkg.files.some((f) => f === 'src' || f.startsWith('src/'))).toBe(false);
  });
});
