#!/usr/bin/env node
// Biome's formatter wraps code at lineWidth (160) but never splits a string literal or a comment:
// this check covers what it leaves, over the tracked sources in packages/, apps/ and tooling/ (run by `pnpm lint`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 160;
const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;
const files = execFileSync('git', ['ls-files', 'packages', 'apps', 'tooling'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => SOURCE.test(f));
const long = [];
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const width = [...line].length; // characters, as Biome counts, not bytes
    if (width > MAX) long.push(`${file}:${i + 1}: ${width} characters`);
  });
}
if (long.length > 0) {
  console.error(`${long.length} source line(s) over ${MAX} characters (split the string or comment):\n${long.join('\n')}`);
  process.exit(1);
}
console.log(`line length: ${files.length} files, no line over ${MAX} characters`);
