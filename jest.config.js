// Three projects: unit (pure, no servers), workflow (real Temporal dev server), integration (Temporal + AWS
// emulator + local stand-ins). The global setup starts one dev server and one emulator for the whole run.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const common = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  // jest's runtime with V8's code cache shared by the test files (test/support/cached-runtime.js)
  runtime: '<rootDir>/test/support/cached-runtime.js',
};
// Tests that talk to servers: generous per-test ceiling (the machine is shared), a quiet Temporal runtime.
const withStack = { ...common, setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'] };

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Most test time is waiting on the dev server, moto and child processes, not CPU: three files at a time on two
  // cores finish the run in ~215 s instead of ~280 s (measured December 2026; four were no faster).
  maxWorkers: 3,
  testTimeout: 60_000,
  verbose: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...withStack,
      displayName: 'workflow',
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
      slowTestThreshold: 30,
    },
    {
      ...withStack,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      slowTestThreshold: 60,
    },
    // The web console in Debian's chromium through playwright-core, on the integration stack (one file).
    {
      ...withStack,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      slowTestThreshold: 60,
    },
  ],
};
