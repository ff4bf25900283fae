import { packageTests } from '@metrics/config/vitest';

export default packageTests('tfjs');
