import { lynqVitestConfig } from '../../vitest.shared.js';

// The manifests against the local control plane from @lynq/testkit (started or reused by its global
// setup; vitest resolves globalSetup entries as paths, so the source file is named directly).
const config = lynqVitestConfig({
  test: {
    globalSetup: ['../../packages/testkit/src/global-setup.ts'],
    testTimeout: 60_000,
    // Stopping a control plane the run started takes a few seconds.
    teardownTimeout: 60_000,
  },
});
// mergeConfig concatenates arrays: replace the shared unit-test include instead of extending it.
if (config.test !== undefined) config.test.include = ['src/**/*.int.test.ts'];

export default config;
