import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  restartApiServer,
  restartClusterComponent,
  startClusterComponent,
  stopClusterComponent,
} from './cluster.js';
import { ensureControlPlane, type ControlPlane } from './control-plane.js';
import { waitFor } from './proc.js';

// Restarting the shared API server would disturb other test runs: use a private api cluster.
const local = (process.env['LYNQ_TEST_KUBECONFIG'] ?? '') === '';

describe.skipIf(!local)('restartApiServer(), stop/start/restartClusterComponent()', () => {
  const clusterDir = mkdtempSync(join(tmpdir(), 'lynq-restart-'));
  const kc = new KubeConfig();
  let plane: ControlPlane | undefined;

  beforeAll(async () => {
    plane = await ensureControlPlane({ profile: 'api', clusterDir });
    kc.loadFromFile(plane.kubeconfigPath);
  });
  afterAll(async () => {
    await plane?.stop();
    rmSync(clusterDir, { recursive: true, force: true });
  });

  it('restarts kube-apiserver on the same address; data and credentials survive', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'survivor' }, data: { k: 'v' } },
    });
    const server = kc.getCurrentCluster()?.server;
    const started = Date.now();
    await restartApiServer({ downtimeMs: 500, clusterDir });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    const cm = await waitFor(
      'configmap readable after restart',
      () => core.readNamespacedConfigMap({ name: 'survivor', namespace: 'default' }),
      { timeoutMs: 30_000 },
    );
    expect(cm.data).toEqual({ k: 'v' });
    expect(kc.getCurrentCluster()?.server).toBe(server);
  });

  it('restarts etcd: the API server answers again and the data survive', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'etcd-survivor' }, data: { k: 'v' } },
    });
    await restartClusterComponent('etcd', { downtimeMs: 500, clusterDir });
    const cm = await waitFor(
      'configmap readable after the etcd restart',
      () => core.readNamespacedConfigMap({ name: 'etcd-survivor', namespace: 'default' }),
      { timeoutMs: 30_000 },
    );
    expect(cm.data).toEqual({ k: 'v' });
  });

  it('a stopped API server refuses connections until it is started again', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await stopClusterComponent('kube-apiserver', { clusterDir });
    await expect(
      core.readNamespacedConfigMap({ name: 'etcd-survivor', namespace: 'default' }),
    ).rejects.toThrow();
    // Stopping twice names what is wrong.
    await expect(stopClusterComponent('kube-apiserver', { clusterDir })).rejects.toThrow(
      /kube-apiserver is not running/,
    );
    await startClusterComponent('kube-apiserver', { clusterDir });
    const cm = await core.readNamespacedConfigMap({ name: 'etcd-survivor', namespace: 'default' });
    expect(cm.data).toEqual({ k: 'v' });
  });
});
