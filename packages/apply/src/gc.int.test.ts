// Garbage collection of objects owned through a controller ownerReference (needs the `full`
// profile: kube-controller-manager's garbage collector).
import { API_VERSION, Kinds } from '@lynq/api';
import { decideOwnership } from '@lynq/policy';
import { ensureControlPlane, useTestNamespace, waitFor, type ControlPlane } from '@lynq/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeObject, ObjectRef } from './object-ref.js';
import { connect, installCrd, lynqNodeCrd, type TestCluster } from './testdata/cluster.js';

let plane: ControlPlane;
const ns = useTestNamespace({ prefix: 'apply-gc' });
let t: TestCluster;

beforeAll(async () => {
  plane = await ensureControlPlane({ profile: 'full' });
  t = await connect();
  await installCrd(t, lynqNodeCrd());
}, 600_000);

afterAll(async () => {
  t?.client.close();
  await plane?.stop();
});

it('deletes owned objects with their LynqNode and leaves label-tracked ones', async () => {
  const node = await t.applier.apply({
    apiVersion: API_VERSION,
    kind: Kinds.Node,
    metadata: { name: 'gc-node', namespace: ns.name },
    spec: { uid: 'gc-node', templateRef: 'form' },
  });
  const nodeId = { name: 'gc-node', namespace: ns.name, uid: node.object.metadata.uid ?? '' };
  const own = (deletionPolicy: 'Delete' | 'Retain') => ({
    ownership: decideOwnership({
      deletionPolicy,
      node: nodeId,
      targetNamespace: ns.name,
      namespaced: true,
    }),
  });
  const cm = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns.name },
    data: { a: '1' },
  });
  const owned = await t.applier.apply(cm('owned'), own('Delete'));
  expect(owned.object.metadata.ownerReferences?.[0]?.uid).toBe(nodeId.uid);
  const tracked = await t.applier.apply(cm('tracked'), own('Retain'));
  expect(tracked.object.metadata.ownerReferences).toBeUndefined();

  const ref = (name: string): ObjectRef => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: ns.name,
    name,
  });
  expect(
    await t.applier.delete({
      apiVersion: API_VERSION,
      kind: Kinds.Node,
      namespace: ns.name,
      name: 'gc-node',
    }),
  ).toBe(true);
  await waitFor(
    'owned ConfigMap garbage-collected',
    async () => (await t.applier.get(ref('owned'))) === null,
    {
      timeoutMs: 60_000,
      intervalMs: 250,
    },
  );
  expect(await t.applier.get(ref('tracked'))).not.toBeNull();
});
