// The root README's JavaScript and TypeScript snippets, checked the way a reader uses them: TypeScript ones
// type-checked against the packages' sources, JavaScript ones parsed by this Node as plain JavaScript, and
// every one run to the end in an empty directory. A snippet that stops compiling or running fails here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = join(PACKAGE_DIR, '..', '..', 'README.md');

interface Snippet {
  lang: 'ts' | 'js';
  code: string;
  line: number;
}

/** Fenced ```ts / ```js blocks that use a @metrics package. */
function readmeSnippets(): Snippet[] {
  const text = readFileSync(README, 'utf8');
  const out: Snippet[] = [];
  for (const m of text.matchAll(/^```(ts|typescript|js|javascript|mjs)\n([\s\S]*?)^```$/gm)) {
    if (!m[2]!.includes("from '@metrics/")) continue;
    const lang = m[1]!.startsWith('t') ? 'ts' : 'js';
    out.push({ lang, code: m[2]!, line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

const snippets = readmeSnippets();
// Inside this package, so `@metrics/*` resolve as they do for an installed package (the sources, by condition).
const workDir = mkdtempSync(join(PACKAGE_DIR, '.readme-snippets-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function fileFor(snippet: Snippet): string {
  const file = join(workDir, `readme-line-${snippet.line}.${snippet.lang === 'ts' ? 'ts' : 'mjs'}`);
  writeFileSync(file, snippet.code);
  return file;
}

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs a snippet file in an empty directory, as a user would: no servers, no keys. */
function run(file: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'readme-snippet-run-'));
  const { MLFLOW_TRACKING_URI: _u, WANDB_API_KEY: _k, WANDB_MODE: _m, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--conditions=@metrics/source', '--import', tsx, file], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { ...r, cwd };
}

describe('README snippets', () => {
  it('the README has both forms: `await using` in TypeScript, try/finally in JavaScript', () => {
    expect(snippets.map((s) => s.lang).sort()).toEqual(['js', 'ts']);
    expect(snippets.find((s) => s.lang === 'ts')!.code).toContain('await using');
    expect(snippets.find((s) => s.lang === 'js')!.code).toMatch(/finally \{\s+await tracker\.close\(\)/);
  });

  it('TypeScript snippets type-check (strict) against the packages', () => {
    const files = snippets.filter((s) => s.lang === 'ts').map(fileFor);
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Preserve,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ['@metrics/source'],
      lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || files.includes(d.file.fileName));
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  });

  it('JavaScript snippets are plain JavaScript for this Node (no `await using`)', () => {
    for (const snippet of snippets.filter((s) => s.lang === 'js')) {
      const r = spawnSync(process.execPath, ['--check', fileFor(snippet)], { encoding: 'utf8' });
      expect(r.status, `README line ${snippet.line}: ${r.stderr}`).toBe(0);
    }
  });

  it.each(snippets.map((s) => [`${s.lang} snippet at README line ${s.line}`, s] as const))('%s runs to the end and writes the run', (_name, snippet) => {
    const r = run(fileFor(snippet));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('❌');
    // The facade picked up the installed TensorBoard backend: its event file is in ./runs.
    const experimentDir = join(r.cwd, 'runs', 'mnist-mlp');
    const [runDir] = readdirSync(experimentDir);
    expect(readdirSync(join(experimentDir, runDir!)).some((f) => f.includes('tfevents'))).toBe(true);
    rmSync(r.cwd, { recursive: true, force: true });
  });
});
