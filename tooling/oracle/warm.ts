// Builds (or reuses) the tool virtualenv and prints where it lives: `node --import tsx tooling/oracle/warm.ts`.
import { ensureVenv } from './src/index.js';

const venv = await ensureVenv();
console.log(JSON.stringify({ dir: venv.dir, python: venv.python, versions: venv.versions }));
