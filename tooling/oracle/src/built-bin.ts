import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs a package's command as a user does: `node <bin>` from package.json's `bin`, which loads the built
 * `dist/`. Fails first when `dist/` is missing or older than `src/`, naming the build to run, so a stale
 * build never passes for the sources under test.
 */
export function runBuiltBin(
  packageDir: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): SpawnSyncReturns<string> {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string; bin?: Record<string, string> };
  const bin = pkg.bin?.[command];
  if (!bin) throw new Error(`${pkg.name} has no bin "${command}" in package.json`);
  const built = newest(join(packageDir, 'dist'));
  const source = newest(join(packageDir, 'src'), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  if (built === 0) throw new Error(`${pkg.name} is not built: run \`npx pnpm@10.34.8 --filter ${pkg.name} build\``);
  if (built < source) throw new Error(`${pkg.name}'s dist/ is older than src/: run \`npx pnpm@10.34.8 --filter ${pkg.name} build\``);
  return spawnSync(process.execPath, [join(packageDir, bin), ...args], {
    cwd: options.cwd ?? packageDir,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** Newest modification time (ms) of the files under `dir` that `keep` accepts; 0 when there are none. */
function newest(dir: string, keep: (file: string) => boolean = () => true): number {
  let latest = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of entries) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) latest = Math.max(latest, newest(path, keep));
    else if (keep(name)) latest = Math.max(latest, st.mtimeMs);
  }
  return latest;
}
