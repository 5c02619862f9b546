import { homedir } from 'node:os';
import { join } from 'node:path';
import { lynqVitestConfig } from '../../vitest.shared.js';

// The integration tests stop and start kube-apiserver. On the shared local cluster that would
// break other packages' test runs, so this package's runs get their own control plane (the
// testkit starts it in the global setup and stops it afterwards; binaries stay shared). A run
// that moves the shared cluster with LYNQ_CLUSTER_DIR gets this one beside it, never in it.
if ((process.env['LYNQ_TEST_KUBECONFIG'] ?? '') === '') {
  const shared = process.env['LYNQ_CLUSTER_DIR'];
  process.env['LYNQ_CLUSTER_DIR'] =
    shared !== undefined && shared !== ''
      ? `${shared.replace(/\/+$/, '')}-runtime`
      : join(process.env['LYNQ_CACHE_DIR'] ?? join(homedir(), '.cache', 'lynq'), 'cluster-runtime');
}

// Unit tests and the *.int.test.ts files run together; integration files must not run at the
// same time (one of them restarts the API server).
const config = lynqVitestConfig({
  test: {
    globalSetup: ['../testkit/src/global-setup.ts'],
    testTimeout: 90_000,
    fileParallelism: false,
  },
});

export default config;
