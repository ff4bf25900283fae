import { packageTests } from '@metrics/config/vitest';

export default packageTests('demo-pipeline');
