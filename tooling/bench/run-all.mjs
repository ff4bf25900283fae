// `pnpm bench`: run every package's benchmark one after another (they measure; parallel runs would skew
// each other on a 2-core machine), then gather the figures into bench-results.json at the repo root.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const dir = join(root, '.bench');
rmSync(dir, { recursive: true, force: true });
let failed = false;
try {
  execFileSync('pnpm', ['-r', '--workspace-concurrency=1', '--filter', './packages/*', 'run', 'bench'], { stdio: 'inherit', cwd: root });
} catch {
  failed = true;
}
const figures = [];
if (existsSync(dir))
  for (const f of readdirSync(dir)) for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) if (line) figures.push(JSON.parse(line));
writeFileSync(join(root, 'bench-results.json'), JSON.stringify(figures, null, 2) + '\n');
console.log(`\nbench-results.json: ${figures.length} figures`);
process.exit(failed ? 1 : 0);
