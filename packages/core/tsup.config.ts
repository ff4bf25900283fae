import { defineConfig } from 'tsup';
import { packageBuild } from '@metrics/config/tsup';

export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', test: 'src/test.ts', 'test/vitest': 'src/test/vitest.ts', protobuf: 'src/protobuf/index.ts', http: 'src/http/index.ts' },
    { external: ['vitest'] },
  ),
);
