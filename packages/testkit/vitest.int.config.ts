import { lynqVitestConfig } from '../../vitest.shared.js';

// Integration tests against the local control plane (LYNQ_TEST_PROFILE=api|full, default api).
const config = lynqVitestConfig({
  test: {
    globalSetup: ['./src/global-setup.ts'],
    testTimeout: 90_000,
    fileParallelism: false,
    // Stopping a control plane the run started takes a few seconds (graceful API server shutdown).
    teardownTimeout: 60_000,
  },
});
// mergeConfig concatenates arrays: replace the shared unit-test include instead of extending it.
if (config.test !== undefined) config.test.include = ['src/**/*.int.test.ts'];

export default config;
