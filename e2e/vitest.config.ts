import { lynqVitestConfig } from '../vitest.shared.js';

// The e2e scenarios need controllers, a scheduler and kwok pods: always the full control plane
// (the global setup reads this when it starts or reuses the cluster).
process.env['LYNQ_TEST_PROFILE'] = 'full';

const config = lynqVitestConfig({
  test: {
    // Inside this repository vitest loads globalSetup without the `@lynq/source` condition.
    globalSetup: ['../packages/testkit/src/global-setup.ts'],
    // The fault suite runs on a cluster of its own: vitest.faults.config.ts (npm run test:faults).
    exclude: ['**/node_modules/**', '**/dist/**', 'src/faults/**'],
    // A scenario waits for several sync intervals and readiness; each wait has its own timeout,
    // this one only catches a test that forgot one.
    testTimeout: 240_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    // Each file runs its own operator in its own namespace, and most of a scenario's time is
    // spent waiting on the cluster, so three files at once use 2 cores well without starving
    // the control plane (etcd, API server, controllers, kwok share the same cores).
    fileParallelism: true,
    maxWorkers: 3,
    pool: 'forks',
    // Every run, fresh: a retry would hide a flaky operator.
    retry: 0,
  },
});

export default config;
