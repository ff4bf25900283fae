import { defineConfig } from 'tsup';
import { packageBuild } from '@metrics/config/tsup';

// `write-worker` is the offline writer thread's script, loaded next to the bundle (dist/write-worker.js
// or .cjs); `shims` gives the CJS bundle `import.meta.url` to find it.
export default defineConfig(
  packageBuild({ index: 'src/index.ts', testing: 'src/testing/index.ts', 'write-worker': 'src/offline/write-worker.ts', cli: 'src/cli.ts' }, { shims: true }),
);
