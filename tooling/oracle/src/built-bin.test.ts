import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuiltBin } from './built-bin.js';

/** A package with a `hello` bin that loads dist/cli.js, its sources `srcAge` seconds old and dist `distAge`. */
function fakePackage(srcAge: number, distAge?: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'built-bin-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@x/fake', bin: { hello: './bin/hello.mjs' } }));
  writeFileSync(join(dir, 'bin', 'hello.mjs'), "import('../dist/cli.js');\n");
  writeFileSync(join(dir, 'src', 'cli.ts'), '');
  const now = Date.now() / 1000;
  utimesSync(join(dir, 'src', 'cli.ts'), now - srcAge, now - srcAge);
  if (distAge !== undefined) {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'cli.js'), 'console.log(process.argv.slice(2).join(" "));\n');
    utimesSync(join(dir, 'dist', 'cli.js'), now - distAge, now - distAge);
  }
  return dir;
}

describe('runBuiltBin', () => {
  it("runs the package's bin on its build, with the arguments", () => {
    const r = runBuiltBin(fakePackage(60, 10), 'hello', ['a', 'b']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('a b\n');
  });

  it('fails naming the build to run when dist is missing or older than src, or the bin does not exist', () => {
    expect(() => runBuiltBin(fakePackage(60), 'hello', [])).toThrow('@x/fake is not built: run `npx pnpm@10.34.8 --filter @x/fake build`');
    expect(() => runBuiltBin(fakePackage(10, 60), 'hello', [])).toThrow("@x/fake's dist/ is older than src/");
    expect(() => runBuiltBin(fakePackage(60, 10), 'bye', [])).toThrow('@x/fake has no bin "bye"');
  });
});
