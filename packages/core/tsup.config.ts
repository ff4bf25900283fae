import { defineConfig } from 'tsup';
import { packageBuild } from '@metrics/config/tsup';

export default defineConfig(
  packageBuild(
    {
      index: 'src/index.ts',
      backend: 'src/backend.ts',
      test: 'src/test.ts',
      'test/vitest': 'src/test/vitest.ts',
      protobuf: 'src/protobuf/index.ts',
      http: 'src/http/index.ts',
    },
    // Shared chunks, not one copy of core per entry: module state (the exit registry, undici) is one per process
    // whichever entry loaded it (`@metrics/core` from a user, `@metrics/core/backend` from a backend).
    { external: ['vitest'], splitting: true },
  ),
);
