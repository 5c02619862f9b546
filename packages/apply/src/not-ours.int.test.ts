// An object another LynqNode manages, or a user's object when adoption is off, is never written.
import { decideOwnership } from '@lynq/policy';
import { useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotOursError } from './errors.js';
import type { KubeObject } from './object-ref.js';
import { connect, createLynqNodes, type TestCluster } from './testdata/cluster.js';

const ns = useTestNamespace({ prefix: 'apply-not-ours' });
let t: TestCluster;
let uids: Record<string, string> = {};
beforeAll(async () => {
  t = await connect();
  uids = await createLynqNodes(t, ns.name, ['a-web', 'b-web']);
});
afterAll(() => t?.client.close());

const cm = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns.name },
  data,
});
const owned = (node: string, deletionPolicy: 'Delete' | 'Retain' = 'Delete') =>
  decideOwnership({
    deletionPolicy,
    node: { name: node, namespace: ns.name, uid: uids[node] ?? '' },
    targetNamespace: ns.name,
    namespaced: true,
  });

async function rejection(p: Promise<unknown>): Promise<NotOursError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotOursError);
  return err as NotOursError;
}

describe('objects that are not the node’s', () => {
  it('refuses a user’s object when adoption is off, and adopts it when allowed', async () => {
    // Created as a user creates it: nothing of Lynq's on it.
    await t.client.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns.name}/configmaps`,
      body: cm('precious', { keep: 'me' }),
    });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns.name, name: 'precious' };
    const err = await rejection(
      t.applier.apply(cm('precious', { keep: 'changed' }), {
        ownership: owned('a-web'),
        adoptForeign: false,
      }),
    );
    expect(err.owner).toBe('foreign');
    expect(err.message).toMatch(/was not created by Lynq/);
    expect((await t.applier.get(ref))?.['data']).toEqual({ keep: 'me' });
    const adopted = await t.applier.apply(cm('precious', { keep: 'changed' }), {
      ownership: owned('a-web'),
      adoptForeign: true,
      conflictPolicy: 'Force',
    });
    expect(adopted.object.metadata.ownerReferences?.[0]?.name).toBe('a-web');
    // Now it is the node's: adoption off no longer matters.
    await t.applier.apply(cm('precious', { keep: 'again' }), {
      ownership: owned('a-web'),
      adoptForeign: false,
    });
  });

  it('refuses an object another node manages, by ownerReference or by tracking labels', async () => {
    await t.applier.apply(cm('shared', { by: 'a' }), { ownership: owned('a-web') });
    const err = await rejection(
      t.applier.apply(cm('shared', { by: 'b' }), { ownership: owned('b-web') }),
    );
    expect(err.owner).toBe('another-node');
    expect(err.message).toContain(`LynqNode ${ns.name}/a-web`);

    await t.applier.apply(cm('kept', { by: 'a' }), { ownership: owned('a-web', 'Retain') });
    const byLabel = await rejection(
      t.applier.apply(cm('kept', { by: 'b' }), { ownership: owned('b-web', 'Retain') }),
    );
    expect(byLabel.owner).toBe('another-node');
    // The node itself may switch policies: Delete ⇄ Retain is the same owner.
    await t.applier.apply(cm('kept', { by: 'a' }), { ownership: owned('a-web', 'Delete') });
  });
});
