import { packageTests } from '@metrics/config/vitest';

// Publishing and installing take a minute or two. Three installs at a time: they wait on the network and
// on the disk as much as on the CPU.
export default packageTests('registry', { testTimeout: 300_000, hookTimeout: 600_000, maxConcurrency: 3 });
