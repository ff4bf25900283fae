import { defineConfig } from 'tsup';
import { packageBuild } from '@metrics/config/tsup';

export default defineConfig(packageBuild({ index: 'src/index.ts' }));
