/**
 * Every publishable package builds the same way: ESM + CJS + declarations, Node 20 target.
 * Plain JS (not TS) because tsup loads its config's workspace imports with Node directly.
 * @param {Record<string, string> | string[]} entry
 * @param {import('tsup').Options} [extra]
 * @returns {import('tsup').Options}
 */
export function packageBuild(entry, extra = {}) {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    ...extra,
  };
}
