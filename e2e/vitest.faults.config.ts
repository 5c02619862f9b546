import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { ViteUserConfig } from 'vitest/config';
import { lynqVitestConfig } from '../vitest.shared.js';

// The fault suite (`npm run test:faults`): src/faults/*.e2e.test.ts on a control plane of its own,
// because some cases stop and restart kube-apiserver and etcd, and count the API server's writes.
// LYNQ_FAULTS_CLUSTER_DIR moves it; the shared cluster of the other suites is never touched.
process.env['LYNQ_CLUSTER_DIR'] =
  process.env['LYNQ_FAULTS_CLUSTER_DIR'] ?? join(tmpdir(), 'faults-cluster');
process.env['LYNQ_TEST_PROFILE'] = 'full';

const CONTROL_PLANE = 'src/faults/control-plane.e2e.test.ts';

/** One project; `include` set after the merge (mergeConfig would append it to the defaults). */
function project(name: string, include: string[], extra: ViteUserConfig['test'] = {}) {
  const config = lynqVitestConfig({
    test: {
      name,
      globalSetup: ['../packages/testkit/src/global-setup.ts'],
      // Each wait has its own timeout; the full variant holds faults for minutes.
      testTimeout: process.env['LYNQ_FAULTS_FULL'] === '1' ? 1_800_000 : 300_000,
      hookTimeout: 180_000,
      teardownTimeout: 60_000,
      retry: 0,
      ...extra,
    },
  });
  if (config.test !== undefined) config.test.include = include;
  return config;
}

export default {
  test: {
    pool: 'forks',
    // Two files at once on 2 cores; the control-plane file runs alone, after the others.
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      project('faults', ['src/faults/**/*.e2e.test.ts'], { exclude: [CONTROL_PLANE] }),
      // Stops kube-apiserver and etcd and counts the API server's writes: nothing else may run.
      project('faults-control-plane', [CONTROL_PLANE], { sequence: { groupOrder: 1 } }),
    ],
  },
} satisfies ViteUserConfig;
