/**
 * `node --import tsx --import ./test/support/security-src-alias.ts child.ts`: makes a child process load
 * `@metrics/<pkg>` (and `@metrics/<pkg>/<subpath>`) from the packages' TypeScript sources, as vitest's
 * aliases do in-process, so children never test a stale `dist/`.
 */
import { register } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../packages');

/** Specifier → source file, for every package and `exports` subpath that exists. */
function sourceMap(): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pkg of ['core', 'tensorboard', 'wandb', 'mlflow', 'profiler', 'unified']) {
    const src = join(packages, pkg, 'src');
    map[`@metrics/${pkg}`] = pathToFileURL(join(src, 'index.ts')).href;
    for (const sub of ['test', 'testing']) {
      const file = [join(src, `${sub}.ts`), join(src, sub, 'index.ts')].find((f) => existsSync(f));
      if (file) map[`@metrics/${pkg}/${sub}`] = pathToFileURL(file).href;
    }
  }
  return map;
}

// The hook runs on the loader thread: plain JS, with the map baked in.
const hooks = `
const map = ${JSON.stringify(sourceMap())};
export async function resolve(specifier, context, next) {
  const url = map[specifier];
  // Through the next resolver (tsx's), which marks .ts files for its loader.
  return next(url ?? specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
