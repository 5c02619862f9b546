import { lynqVitestConfig } from '../../vitest.shared.js';

// Unit tests and the *.int.test.ts files run together; the integration tests (the CRDs on a real
// API server) use the local control plane from @lynq/testkit, started or reused by its global
// setup (named by path: vitest resolves globalSetup entries as files).
export default lynqVitestConfig({
  test: {
    globalSetup: ['../testkit/src/global-setup.ts'],
    testTimeout: 60_000,
  },
});
