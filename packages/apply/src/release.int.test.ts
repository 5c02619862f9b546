// Applier.release: a node letting go of an object, per the deletion policy on the live object.
import { OrphanReasons } from '@lynq/api';
import { decideOwnership } from '@lynq/policy';
import { useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, ObjectRef } from './object-ref.js';
import { connect, createLynqNodes, type TestCluster } from './testdata/cluster.js';

const ns = useTestNamespace({ prefix: 'apply-release' });
let t: TestCluster;
let uids: Record<string, string> = {};
beforeAll(async () => {
  t = await connect();
  uids = await createLynqNodes(t, ns.name, ['acme-web', 'other-web']);
});
afterAll(() => t?.client.close());

const node = (name = 'acme-web') => ({ name, namespace: ns.name, uid: uids[name] ?? '' });
const cm = (name: string, data: Record<string, string> = { a: '1' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns.name },
  data,
});
const ref = (name: string): ObjectRef => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  namespace: ns.name,
  name,
});

async function applyFor(name: string, deletionPolicy: 'Delete' | 'Retain') {
  // Retain is tracked by labels, Delete by a controller ownerReference to the node.
  await t.applier.apply(cm(name), {
    ownership: decideOwnership({
      deletionPolicy,
      node: node(),
      targetNamespace: ns.name,
      namespaced: true,
    }),
  });
}

describe('Applier.release', () => {
  it('deletes an object whose live policy is Delete', async () => {
    await applyFor('del', 'Delete');
    const reason = OrphanReasons.RemovedFromTemplate;
    expect(await t.applier.release(ref('del'), { node: node(), reason })).toBe('deleted');
    expect(await t.applier.get(ref('del'))).toBeNull();
    expect(await t.applier.release(ref('del'), { node: node(), reason })).toBe('absent');
  });

  it('keeps an object whose live policy is Retain, with orphan markers and without tracking labels', async () => {
    await applyFor('keep', 'Retain');
    const out = await t.applier.release(ref('keep'), {
      node: node(),
      reason: OrphanReasons.NodeDeleted,
    });
    expect(out).toBe('retained');
    const live = await t.applier.get(ref('keep'));
    expect(live?.metadata.labels).toMatchObject({ 'lynq.sh/orphaned': 'true' });
    expect(live?.metadata.labels?.['lynq.sh/node']).toBeUndefined();
    expect(live?.metadata.annotations?.['lynq.sh/orphaned-reason']).toBe('LynqNodeDeleted');
  });

  it('leaves alone an object that is not the node’s, whatever its policy says', async () => {
    await t.applier.apply(cm('foreign'));
    const other = node('other-web');
    await applyFor('theirs', 'Delete');
    const reason = OrphanReasons.RemovedFromTemplate;
    expect(await t.applier.release(ref('foreign'), { node: node(), reason })).toBe('foreign');
    expect(await t.applier.release(ref('theirs'), { node: other, reason })).toBe('foreign');
    expect(await t.applier.get(ref('foreign'))).not.toBeNull();
    expect(await t.applier.get(ref('theirs'))).not.toBeNull();
  });
});
