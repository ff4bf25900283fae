import { packageTests } from '@metrics/config/vitest';

export default packageTests('reliability', { testTimeout: 300_000, hookTimeout: 300_000 });
