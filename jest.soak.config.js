// The soak (`npm run soak`): a spec pattern of its own, so `npm test` never runs it, and no global setup (the
// soak makes its own database and redis-server, and must not empty the test ones).
import base from './jest.config.js';

export default {
  ...base,
  globalSetup: undefined,
  testMatch: ['<rootDir>/test/reliability/soak/*.soak-spec.ts'],
};
