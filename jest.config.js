// Three projects: unit (pure, no servers), workflow (real Temporal dev server), integration (Temporal + AWS
// emulator + local stand-ins). The global setup starts one dev server and one emulator for the whole run.
// TypeScript through SWC, transpile only (test/support/swc-options.js says why); `npm run typecheck` checks the types.
const transform = { '^.+\\.ts$': ['@swc/jest', require('./test/support/swc-options')] };
const common = {
  // one V8 context per jest worker, the packages loaded once in it (test/support/shared-context-environment.js)
  testEnvironment: '<rootDir>/test/support/shared-context-environment.js',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  // jest's runtime with V8's code cache shared by the test files (test/support/cached-runtime.js)
  runtime: '<rootDir>/test/support/cached-runtime.js',
  // what the earlier test files of a jest worker left enabled in Node's shared core modules, released
  setupFiles: ['<rootDir>/test/support/release-earlier-files.ts'],
};
/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // longest files first also on a fresh clone, from a recorded full run (test/support/test-sequencer.js)
  testSequencer: '<rootDir>/test/support/test-sequencer.js',
  // Much of a test file's time is waiting (lease and heartbeat timeouts, processes starting, the dev server): with
  // three files at a time the two cores were 1.56 busy on average and the run took 354 s; with four, 1.8 busy and
  // 299 s (measured December 2026, same machine and hour).
  maxWorkers: 4,
  testTimeout: 60_000,
  verbose: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'workflow',
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
      slowTestThreshold: 30,
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      slowTestThreshold: 60,
    },
    // The web console in Debian's chromium through playwright-core, on the integration stack (one file).
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      slowTestThreshold: 60,
    },
  ],
};
