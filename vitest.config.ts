import { defineConfig } from 'vitest/config';

// One run over every package, so the totals at the end are the whole project's.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling/*'],
    // Oracle tests start real servers and Python processes: keep the 2-core machine from thrashing.
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
