import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type V1Deployment,
} from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { FAKE_NODE_COUNT, FAKE_NODE_PODS, ensureFakeNodes, podsQuantity } from './cluster.js';
import { waitFor } from './proc.js';
import { kubeconfigPath, useTestNamespace } from './namespace.js';

// Needs controllers, scheduler and kwok: runs with LYNQ_TEST_PROFILE=full (or an external cluster
// whose profile is declared full).
const full = inject('lynqProfile') === 'full';
const local = (process.env['LYNQ_TEST_KUBECONFIG'] ?? '') === '';

async function gone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return true;
    throw err;
  }
}

describe.skipIf(!full)('full profile: real controllers, scheduler and kwok', () => {
  const ns = useTestNamespace({ prefix: 'testkit-full' });

  it('server-side applies a Deployment that becomes Available with 2 replicas', async () => {
    const objects = KubernetesObjectApi.makeApiClient(ns.kubeConfig);
    const apps = ns.kubeConfig.makeApiClient(AppsV1Api);
    const deployment: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns.name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'registry.example/web:1' }] },
        },
      },
    };
    await objects.patch(
      deployment,
      undefined,
      undefined,
      'lynq-testkit',
      true,
      PatchStrategy.ServerSideApply,
    );
    const applied = await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name });
    expect(
      applied.metadata?.managedFields?.some(
        (f) => f.manager === 'lynq-testkit' && f.operation === 'Apply',
      ),
    ).toBe(true);
    const available = await waitFor(
      'deployment web Available',
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name });
        const cond = d.status?.conditions?.find((c) => c.type === 'Available');
        return cond?.status === 'True' && d.status?.availableReplicas === 2 ? d : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(available.status?.readyReplicas).toBe(2);
    const pods = await ns.kubeConfig
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: ns.name });
    expect(pods.items.every((p) => p.spec?.nodeName?.startsWith('kwok-node-') === true)).toBe(true);
  });

  it('garbage-collects a ConfigMap after its owner is deleted', async () => {
    const core = ns.kubeConfig.makeApiClient(CoreV1Api);
    const owner = await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'owner' }, data: { role: 'owner' } },
    });
    const uid = owner.metadata?.uid ?? '';
    expect(uid).not.toBe('');
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }],
        },
        data: { role: 'dependent' },
      },
    });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace: ns.name });
    await waitFor(
      'dependent ConfigMap garbage-collected',
      () => gone(() => core.readNamespacedConfigMap({ name: 'dependent', namespace: ns.name })),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  });

  it('runs a Job to completion', async () => {
    const batch = ns.kubeConfig.makeApiClient(BatchV1Api);
    const core = ns.kubeConfig.makeApiClient(CoreV1Api);
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: {
        metadata: { name: 'once' },
        spec: {
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'once', image: 'registry.example/once:1' }],
            },
          },
        },
      },
    });
    const job = await waitFor(
      'job once Complete',
      async () => {
        const j = await batch.readNamespacedJob({ name: 'once', namespace: ns.name });
        return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ===
          true
          ? j
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(job.status?.succeeded).toBe(1);
    const pods = await core.listNamespacedPod({
      namespace: ns.name,
      labelSelector: 'job-name=once',
    });
    expect(pods.items.map((p) => p.status?.phase)).toEqual(['Succeeded']);
  });

  it.skipIf(!local)(
    'gives each fake node room for FAKE_NODE_PODS pods, and raises a node holding fewer',
    async () => {
      const core = ns.kubeConfig.makeApiClient(CoreV1Api);
      const pods = async (name: string) => {
        const node = await core.readNode({ name });
        // The API server keeps quantities in canonical form: 4000 reads back as "4k".
        return [node.status?.capacity?.['pods'], node.status?.allocatable?.['pods']].map(
          podsQuantity,
        );
      };
      for (let i = 0; i < FAKE_NODE_COUNT; i++) {
        expect(await pods(`kwok-node-${i}`)).toEqual([FAKE_NODE_PODS, FAKE_NODE_PODS]);
      }
      // As a cluster started by an older testkit has it (one less: the shared cluster keeps working).
      const fewer = String(FAKE_NODE_PODS - 1);
      await core.patchNodeStatus({
        name: 'kwok-node-2',
        body: [
          { op: 'add', path: '/status/capacity/pods', value: fewer },
          { op: 'add', path: '/status/allocatable/pods', value: fewer },
        ],
      });
      expect(await pods('kwok-node-2')).toEqual([FAKE_NODE_PODS - 1, FAKE_NODE_PODS - 1]);
      await ensureFakeNodes(kubeconfigPath());
      expect(await pods('kwok-node-2')).toEqual([FAKE_NODE_PODS, FAKE_NODE_PODS]);
    },
  );
});
