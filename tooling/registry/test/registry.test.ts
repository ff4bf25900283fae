import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@metrics/config/vitest';
import { run, userEnv } from '../src/commands.js';
import { consumerNpmrc, installConsumer, installedMetricsPackages, isInstalled, type PackageManager } from '../src/consumer.js';
import { packAll, publicPackages, publishTarball, tarballManifest } from '../src/publish.js';
import { startLocalRegistry, type LocalRegistry } from '../src/verdaccio.js';

// Every package built, packed with pnpm (workspace ranges rewritten), published to a local Verdaccio, and
// installed from it into fresh projects the way a user would, with npm and with pnpm.
const scenarios = [
  { name: 'tensorboard', dependencies: ['@metrics/tensorboard'], expected: ['@metrics/core', '@metrics/tensorboard'] },
  {
    name: 'unified+wandb',
    dependencies: ['@metrics/unified', '@metrics/wandb'],
    expected: ['@metrics/core', '@metrics/profiler', '@metrics/unified', '@metrics/wandb'],
  },
  { name: 'mlflow', dependencies: ['@metrics/mlflow'], expected: ['@metrics/core', '@metrics/mlflow'] },
];
const managers: PackageManager[] = ['npm', 'pnpm'];
const cases = scenarios.flatMap((s) => managers.map((pm) => ({ ...s, pm, label: s.dependencies.join(' ') })));

const packages = publicPackages(repoRoot);
const rootManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const programs = join(import.meta.dirname, 'programs');
let tmp: string;
let registry: LocalRegistry | undefined;
let env: NodeJS.ProcessEnv;
let npmrc: string;
let tarballs: Map<string, string>;

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'metrics-registry-')));
  // The user's registry for everything that is not ours (read with their config, which is never written).
  const publicRegistry = (await run('npm', ['config', 'get', 'registry'], { cwd: tmp, env: userEnv(repoRoot) })).stdout.trim();
  // turbo (cached when nothing changed) finds pnpm on PATH: this package's own pinned copy.
  const buildEnv = { ...process.env, PATH: `${join(import.meta.dirname, '..', 'node_modules', '.bin')}${delimiter}${process.env.PATH}` };
  const build = run(join(repoRoot, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], {
    cwd: repoRoot,
    env: buildEnv,
  });
  [registry] = await Promise.all([startLocalRegistry(join(tmp, 'verdaccio')), build]);
  npmrc = consumerNpmrc({ registryUrl: registry.url, authKey: registry.authKey, token: registry.token, publicRegistry, pnpmCacheDir: join(tmp, 'pnpm-cache') });
  mkdirSync(join(tmp, 'home'));
  const userconfig = join(tmp, 'home', '.npmrc');
  writeFileSync(userconfig, npmrc);
  // A temp userconfig: the user's ~/.npmrc and global npm config are neither used nor written.
  env = userEnv(repoRoot, { npm_config_userconfig: userconfig });
  tarballs = await packAll(repoRoot, packages, join(tmp, 'tarballs'), env);
  for (const tarball of tarballs.values()) await publishTarball(registry.url, registry.token, tarball);
});

afterAll(async () => {
  await registry?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('published tarballs', () => {
  it.each(packages.map((p) => p.name))('%s ships LICENSE, dist and real version ranges', (name) => {
    const tarball = tarballs.get(name)!;
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/README.md');
    expect(files).toContain('package/dist/index.js');
    expect(files.filter((f) => f.startsWith('package/src/') || f.endsWith('.test.ts'))).toEqual([]);
    const manifest = tarballManifest(tarball);
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    const ranges = { ...(manifest.dependencies as object), ...(manifest.peerDependencies as object) } as Record<string, string>;
    for (const [dep, range] of Object.entries(ranges)) expect(`${dep}@${range}`).toMatch(/@[\^>~]/);
  });
});

describe('installing from the registry into a fresh project', () => {
  it.concurrent.for(cases)(
    'only $label with $pm: ESM, CommonJS and strict TypeScript programs work',
    async ({ name, dependencies, expected, pm }, { expect }) => {
      const dir = join(tmp, `${name}-${pm}`);
      await installConsumer({ dir, pm, dependencies, npmrc, typesNode: rootManifest.devDependencies['@types/node'], env });

      // Exactly what the user asked for and its dependencies, every one a real copy from the registry.
      const installed = installedMetricsPackages(dir);
      // One copy of each: a second @metrics/core would mean a second pipeline and exit hooks.
      expect(installed.map((p) => p.name).sort()).toEqual(expected);
      for (const p of installed) {
        expect(p.realDir.startsWith(dir)).toBe(true);
        expect(JSON.stringify(p.manifest)).not.toContain('workspace:');
      }
      expect(isInstalled(dir, 'vitest')).toBe(false);

      const source = join(programs, name.replace('+', '-'));
      for (const f of readdirSync(source)) cpSync(join(source, f), join(dir, f));
      const esm = await run(process.execPath, ['main.mjs'], { cwd: dir, env });
      expect(esm.stdout).toContain(`ok ${name} esm`);
      const cjs = await run(process.execPath, ['main.cjs'], { cwd: dir, env });
      expect(cjs.stdout).toContain(`ok ${name} cjs`);
      // skipLibCheck as in `tsc --init`: our declarations are what the programs are checked against, and
      // checking all of @types/node six times would triple the test's time.
      const strict = [
        '--strict',
        '--noEmit',
        '--skipLibCheck',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
      ];
      await run(process.execPath, [tsc, ...strict, 'main.ts', 'main.cts'], { cwd: dir, env });

      // The commands a package ships are linked and start.
      if (name === 'tensorboard') {
        const inspect = await run(join(dir, 'node_modules', '.bin', 'metrics-tensorboard'), ['inspect', 'runs-esm'], { cwd: dir, env });
        expect(inspect.stdout).toContain('training/loss');
      }
      if (name === 'mlflow') await run(join(dir, 'node_modules', '.bin', 'metrics-mlflow'), ['--help'], { cwd: dir, env });
    },
  );
});
