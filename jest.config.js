// Unit specs live beside the code (src, *.spec.ts); e2e specs in test/ (*.e2e-spec.ts).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Sources import './x.js' (Node ESM); jest resolves the .ts file behind it.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/support/global-setup.js',
  testTimeout: 30000,
  // The e2e suites mostly wait (on timers, retries, child processes), so two run side by side on 2 cores;
  // each worker has a database and a Redis database of its own (test/support/test-services.js).
  maxWorkers: 2,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
};
