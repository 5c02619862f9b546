// Taking over objects the Go operator applied: each object is written here exactly as the Go
// operator leaves it (Server-Side Apply by `lynq-operator`, its tracking metadata, and the
// applied-hash Go computes — from the Go oracle, not from this package), then applied by the
// Applier with the same desired state. Nothing may be written.
import { API_VERSION, Annotations, Kinds, Labels, type DeletionPolicy } from '@lynq/api';
import { decideOwnership } from '@lynq/policy';
import { uniqueName, useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from './object-ref.js';
import { applyAs, connect, installCrd, lynqNodeCrd, type TestCluster } from './testdata/cluster.js';
import { goAppliedHash, oracleBinary } from './testdata/hash-oracle.js';

const ns = useTestNamespace({ prefix: 'apply-takeover' });
const other = useTestNamespace({ prefix: 'apply-takeover-x' });
let t: TestCluster;
let node: { name: string; namespace: string; uid: string };
const namespaces: string[] = [];

beforeAll(async () => {
  oracleBinary();
  t = await connect();
  await installCrd(t, lynqNodeCrd());
  const created = await t.applier.apply({
    apiVersion: API_VERSION,
    kind: Kinds.Node,
    metadata: { name: 'row-1', namespace: ns.name },
    spec: { uid: 'row-1', templateRef: 'form' },
  });
  node = { name: 'row-1', namespace: ns.name, uid: created.object.metadata.uid ?? '' };
}, 600_000);

afterAll(async () => {
  for (const name of namespaces)
    await t.applier.delete({ apiVersion: 'v1', kind: 'Namespace', name });
  t?.client.close();
});

/** What the Go operator applies for a rendered object (reference §3.3 renderResource, §5.1). */
function goDesired(rendered: KubeObject, deletionPolicy: DeletionPolicy): KubeObject {
  const metadata = {
    ...rendered.metadata,
    annotations: { ...rendered.metadata.annotations, [Annotations.DeletionPolicy]: deletionPolicy },
  };
  const crossNamespace = metadata.namespace !== node.namespace;
  if (crossNamespace || rendered.kind === 'Namespace' || deletionPolicy === 'Retain') {
    metadata.labels = {
      ...metadata.labels,
      [Labels.Node]: node.name,
      [Labels.NodeNamespace]: node.namespace,
    };
  } else {
    metadata.ownerReferences = [
      ...(metadata.ownerReferences ?? []),
      {
        apiVersion: API_VERSION,
        kind: Kinds.Node,
        name: node.name,
        uid: node.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  return { ...rendered, metadata };
}

/** Leaves `rendered` in the cluster as the Go operator would, and returns the live object. */
async function appliedByGo(
  rendered: KubeObject,
  deletionPolicy: DeletionPolicy,
  path: string,
): Promise<KubeObject> {
  const desired = goDesired(rendered, deletionPolicy);
  const hash = goAppliedHash(desired);
  const body = {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: {
        ...desired.metadata.annotations,
        [Annotations.AppliedHash]: hash,
        [Annotations.ApplyStartTime]: '2026-07-01T10:00:00.123456789Z',
      },
    },
  };
  // The API server drops a cluster-scoped object's namespace; Go sends it, so it is hashed.
  if (rendered.kind === 'Namespace') delete body.metadata.namespace;
  return applyAs(t.client, 'lynq-operator', path, body, true);
}

/** lynq-operator's managedFields entry (its time moves with every write of ours). */
function ourEntry(obj: KubeObject): unknown {
  const entries = (obj.metadata['managedFields'] ?? []) as { manager?: string }[];
  return entries.find((e) => e.manager === 'lynq-operator');
}

function ownership(deletionPolicy: DeletionPolicy, target: string | undefined, namespaced = true) {
  return decideOwnership({ deletionPolicy, node, targetNamespace: target, namespaced });
}

describe('objects the Go operator applied are taken over without a write', () => {
  it('owned ConfigMap and Deployment (with a template’s creationTimestamp: null)', async () => {
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: ns.name, labels: { app: 'web' } },
      data: { plan: 'gold', html: '<b>&amp;</b>', unicode: 'héllo 😀\u2028' },
    };
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: ns.name,
        labels: { app: 'web' },
        creationTimestamp: null,
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' }, creationTimestamp: null },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'registry.example.com/app:1.2.3',
                args: ['--greeting=<hi & bye>'],
                ports: [{ containerPort: 8080 }],
                resources: { limits: { cpu: '500m', memory: '128Mi' } },
              },
            ],
          },
        },
      },
    };
    const cmLive = await appliedByGo(
      configMap,
      'Delete',
      `/api/v1/namespaces/${ns.name}/configmaps/settings`,
    );
    const deployLive = await appliedByGo(
      deployment,
      'Delete',
      `/apis/apps/v1/namespaces/${ns.name}/deployments/web`,
    );

    const before = t.client.stats();
    const cm = await t.applier.apply(configMap, { ownership: ownership('Delete', ns.name) });
    const deploy = await t.applier.apply(deployment, { ownership: ownership('Delete', ns.name) });
    expect([cm.action, deploy.action]).toEqual(['unchanged', 'unchanged']);
    expect(t.client.stats().writes).toBe(before.writes);
    expect(cm.object.metadata.resourceVersion).toBe(cmLive.metadata.resourceVersion);
    // The Deployment's status may move (a controller manager runs in the full profile): its
    // generation and lynq-operator's managed fields show that nothing of ours was written.
    expect(deploy.object.metadata['generation']).toBe(deployLive.metadata['generation']);
    expect(ourEntry(deploy.object)).toEqual(ourEntry(deployLive));
  });

  it('label-tracked objects: Retain, cross-namespace, and a Namespace (hashed with its namespace)', async () => {
    const retained: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kept', namespace: ns.name },
      data: { a: '1' },
    };
    const cross: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: other.name },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    };
    const nsName = uniqueName('tenant');
    namespaces.push(nsName);
    // Lynq's renderer puts the node's namespace on a Namespace too; the Go hash covers it.
    const namespace: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: nsName, namespace: ns.name, labels: { tier: 'gold' } },
    };
    await appliedByGo(retained, 'Retain', `/api/v1/namespaces/${ns.name}/configmaps/kept`);
    await appliedByGo(cross, 'Delete', `/api/v1/namespaces/${other.name}/services/svc`);
    await appliedByGo(namespace, 'Delete', `/api/v1/namespaces/${nsName}`);

    const before = t.client.stats();
    const results = [
      await t.applier.apply(retained, { ownership: ownership('Retain', ns.name) }),
      await t.applier.apply(cross, { ownership: ownership('Delete', other.name) }),
      await t.applier.apply(namespace, { ownership: ownership('Delete', undefined, false) }),
    ];
    expect(results.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(t.client.stats().writes).toBe(before.writes);
  });

  it('costs exactly one write where Go hashed something this side lacks, then none', async () => {
    const nsName = uniqueName('tenant');
    namespaces.push(nsName);
    const namespace: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: nsName, namespace: ns.name },
    };
    await appliedByGo(namespace, 'Delete', `/api/v1/namespaces/${nsName}`);
    // Without the namespace Go's renderer added, the hash differs: one write, then stable.
    const { namespace: _dropped, ...withoutNamespace } = namespace.metadata;
    const ours: KubeObject = { ...namespace, metadata: withoutNamespace };
    const options = { ownership: ownership('Delete', undefined, false) };
    const first = await t.applier.apply(ours, options);
    const second = await t.applier.apply(ours, options);
    expect([first.writes, second.writes]).toEqual([1, 0]);
    expect(second.action).toBe('unchanged');
    expect(first.object.metadata.uid).toBeDefined();
  });
});
