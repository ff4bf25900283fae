import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The path of `relPath` inside the package that holds `moduleFile`, found by walking up from the
 * module's folder: a module runs from `src/…` in development and from `dist/` when installed, so its
 * depth differs. For data files a package ships next to its code (e.g. `proto/*.proto`).
 */
export function packageFile(moduleFile: string, relPath: string): string {
  let dir = dirname(moduleFile);
  for (;;) {
    const candidate = join(dir, relPath);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`packageFile: ${relPath} not found above ${moduleFile}; is it listed in the package's "files"?`);
    dir = up;
  }
}

/**
 * A lookup of the message types of the package's `.proto` file `protoRelPath` (package `protoPackage`),
 * parsed with protobufjs on the first lookup (field names as written, snake_case). protobufjs is
 * resolved from `moduleFile`: it is the calling backend's dependency, not core's, and `Type` is its
 * `Type`, named by the caller. Nothing is loaded until the first lookup, so a backend's read path can
 * use protobufjs while creating a tracker never loads it.
 */
export function protoTypes<Type>(moduleFile: string, protoRelPath: string, protoPackage: string): (name: string) => Type {
  let root: { lookupType(path: string): Type } | undefined;
  return (name) => {
    if (!root) {
      const protobuf = createRequire(moduleFile)('protobufjs') as { parse(source: string, options: { keepCase: boolean }): { root: NonNullable<typeof root> } };
      root = protobuf.parse(readFileSync(packageFile(moduleFile, protoRelPath), 'utf8'), { keepCase: true }).root;
    }
    return root.lookupType(`${protoPackage}.${name}`);
  };
}
