import { lynqVitestConfig } from '../../vitest.shared.js';

// Unit tests and the *.int.test.ts files run together; the integration tests use the local
// control plane from @lynq/testkit (started or reused by its global setup; vitest resolves
// globalSetup entries as paths, so the source file is named directly).
const config = lynqVitestConfig({
  test: {
    globalSetup: ['../testkit/src/global-setup.ts'],
    testTimeout: 60_000,
  },
});

export default config;
