import { lynqVitestConfig } from '../../vitest.shared.js';

// Unit tests and the *.int.test.ts files run together; the integration tests use the local
// control plane from @lynq/testkit (started or reused by its global setup; vitest resolves
// globalSetup entries as paths, so the source file is named directly). Each integration file
// works in its own namespace.
export default lynqVitestConfig({
  test: {
    globalSetup: ['../testkit/src/global-setup.ts'],
    testTimeout: 60_000,
  },
});
