import { lynqVitestConfig } from '../../vitest.shared.js';

// The --apply test uses the local control plane from @lynq/testkit (started or reused by its
// global setup), in its own namespace.
export default lynqVitestConfig({
  test: {
    globalSetup: ['../../packages/testkit/src/global-setup.ts'],
    testTimeout: 60_000,
  },
});
