import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Run directories claimed by this process (a directory deleted meanwhile is still not handed out twice). */
const claimed = new Set<string>();

/**
 * Claims a fresh run directory: `wanted`, or `wanted-2`, `wanted-3`… when that already exists on disk or was
 * claimed in this process. TensorBoard shows every event file in one directory as ONE run, so two runs with the
 * same name must never share it. `mkdir` without `recursive` fails when the directory exists, so two processes
 * racing for the same name get different directories. Returns the absolute path.
 */
export function claimRunDir(wanted: string): string {
  const base = resolve(wanted);
  mkdirSync(dirname(base), { recursive: true });
  for (let n = 1; ; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    if (claimed.has(dir)) continue;
    try {
      mkdirSync(dir);
      claimed.add(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 10_000) throw error;
    }
  }
}
