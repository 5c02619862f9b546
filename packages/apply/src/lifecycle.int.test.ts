// Ownership, orphans, re-adoption, deletion, cluster-scoped and CRD kinds, discovery.
import { API_VERSION, Annotations, Kinds, Labels, OrphanReasons } from '@lynq/api';
import type { DeletionPolicy } from '@lynq/api';
import { decideOwnership } from '@lynq/policy';
import { uniqueName, useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Applier } from './applier.js';
import { InvalidObjectError, UnknownKindError } from './errors.js';
import { refOf, type KubeObject, type ObjectRef } from './object-ref.js';
import {
  annotationsOf,
  connect,
  installCrd,
  labelsOf,
  lynqNodeCrd,
  testCrd,
  type TestCluster,
} from './testdata/cluster.js';

const nodeNs = useTestNamespace({ prefix: 'apply-node' });
const otherNs = useTestNamespace({ prefix: 'apply-other' });
let t: TestCluster;
let node: KubeObject;
const events: string[] = [];
const cleanup: ObjectRef[] = [];

beforeAll(async () => {
  t = await connect({ onEvent: (e) => events.push(`${e.reason} ${e.object.name}`) });
  await installCrd(t, lynqNodeCrd());
  const created = await t.applier.apply({
    apiVersion: API_VERSION,
    kind: Kinds.Node,
    metadata: { name: 'row-1', namespace: nodeNs.name },
    spec: { uid: 'row-1', templateRef: 'form' },
  });
  node = created.object;
});

afterAll(async () => {
  for (const ref of cleanup) await t.applier.delete(ref);
  t?.client.close();
});

function configMap(
  name: string,
  namespace: string,
  data: Record<string, string> = { a: '1' },
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** @lynq/policy's ownership decision for an object of row-1 in `targetNamespace`. */
function own(
  deletionPolicy: DeletionPolicy,
  targetNamespace: string | undefined,
  namespaced = true,
) {
  return {
    ownership: decideOwnership({
      deletionPolicy,
      node: { name: 'row-1', namespace: nodeNs.name, uid: node.metadata.uid ?? '' },
      targetNamespace,
      namespaced,
    }),
  };
}

describe('ownership', () => {
  it('sets a controller ownerReference to the LynqNode with blockOwnerDeletion', async () => {
    const result = await t.applier.apply(
      configMap('owned', nodeNs.name),
      own('Delete', nodeNs.name),
    );
    expect(result.object.metadata.ownerReferences).toEqual([
      {
        apiVersion: API_VERSION,
        kind: Kinds.Node,
        name: 'row-1',
        uid: node.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(annotationsOf(result.object)[Annotations.DeletionPolicy]).toBe('Delete');
  });

  it('tracks a cross-namespace object with the node labels', async () => {
    const result = await t.applier.apply(
      configMap('tracked', otherNs.name),
      own('Delete', otherNs.name),
    );
    expect(result.object.metadata.namespace).toBe(otherNs.name);
    expect(labelsOf(result.object)).toEqual({
      [Labels.Node]: 'row-1',
      [Labels.NodeNamespace]: nodeNs.name,
    });
    expect(result.object.metadata.ownerReferences).toBeUndefined();
  });

  it('refuses an ownerReference on a cluster-scoped object', async () => {
    const wrong = own('Delete', nodeNs.name); // an ownerReference decision, as if namespaced
    const namespace: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: uniqueName('never') },
    };
    await expect(t.applier.apply(namespace, wrong)).rejects.toBeInstanceOf(InvalidObjectError);
    expect(
      await t.applier.get({
        apiVersion: 'v1',
        kind: 'Namespace',
        name: namespace.metadata.name ?? '',
      }),
    ).toBeNull();
  });
});

describe('orphans', () => {
  it('Retain: marks orphaned, re-adopts on the next apply, then deletes', async () => {
    const ref: ObjectRef = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: nodeNs.name,
      name: 'retained',
    };
    const options = own('Retain', nodeNs.name);
    const applied = await t.applier.apply(configMap('retained', nodeNs.name), options);

    const marked = await t.applier.markOrphaned(ref, {
      reason: OrphanReasons.NodeDeleted,
      from: { name: 'row-1' },
    });
    expect(labelsOf(marked)).toEqual({ [Labels.Orphaned]: 'true' });
    const annotations = annotationsOf(marked);
    expect(annotations[Annotations.OrphanedReason]).toBe('LynqNodeDeleted');
    expect(annotations[Annotations.OrphanedAt]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(annotations[Annotations.DeletionPolicy]).toBe('Retain');
    expect(annotations[Annotations.AppliedHash]).toBe(applied.hash);
    expect(events).toContain('OrphanMarkersAdded retained');

    // Same desired object, same hash: re-adoption still applies (markers removed, labels back).
    const readopted = await t.applier.apply(configMap('retained', nodeNs.name), options);
    expect(readopted.readopted).toBe(true);
    expect(readopted.writes).toBe(2);
    expect(labelsOf(readopted.object)).toEqual({
      [Labels.Node]: 'row-1',
      [Labels.NodeNamespace]: nodeNs.name,
    });
    expect(annotationsOf(readopted.object)[Annotations.OrphanedAt]).toBeUndefined();
    expect(annotationsOf(readopted.object)[Annotations.OrphanedReason]).toBeUndefined();
    expect(events).toContain('OrphanMarkersRemoved retained');

    expect(await t.applier.delete(ref)).toBe(true);
    expect(await t.applier.get(ref)).toBeNull();
    expect(await t.applier.delete(ref)).toBe(false); // NotFound is fine
    expect(
      await t.applier.markOrphaned(ref, { reason: OrphanReasons.RemovedFromTemplate }),
    ).toBeNull();
  });

  it('removes the ownerReference to the node when orphaning an owned object', async () => {
    const ref: ObjectRef = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: nodeNs.name,
      name: 'owned-orphan',
    };
    await t.applier.apply(configMap('owned-orphan', nodeNs.name), own('Delete', nodeNs.name));
    const marked = await t.applier.markOrphaned(ref, {
      reason: OrphanReasons.RemovedFromTemplate,
      from: { name: 'row-1', uid: node.metadata.uid ?? '' },
    });
    expect(marked?.metadata.ownerReferences).toBeUndefined();
    expect(annotationsOf(marked)[Annotations.OrphanedReason]).toBe('RemovedFromTemplate');
    const cleared = await t.applier.removeOrphanMarkers(ref);
    expect(labelsOf(cleared)[Labels.Orphaned]).toBeUndefined();
  });
});

describe('cluster-scoped and custom kinds', () => {
  it('applies, orphans and deletes a Namespace (no namespace in the path, even if set)', async () => {
    const name = uniqueName('apply-ns');
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name };
    cleanup.push(ref);
    const result = await t.applier.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name, namespace: nodeNs.name } },
      own('Retain', undefined, false),
    );
    expect(result.action).toBe('created');
    expect(result.ref).toEqual(ref);
    expect(labelsOf(result.object)[Labels.Node]).toBe('row-1');
    // The namespace is never sent, but it is hashed as the Go operator hashes it (hashedView).
    expect(
      (
        await t.applier.apply(
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name, namespace: nodeNs.name } },
          own('Retain', undefined, false),
        )
      ).action,
    ).toBe('unchanged');
    const marked = await t.applier.markOrphaned(
      { ...ref, namespace: 'ignored' },
      { reason: OrphanReasons.NodeDeleted },
    );
    expect(labelsOf(marked)[Labels.Orphaned]).toBe('true');
    expect(labelsOf(marked)[Labels.Node]).toBeUndefined();
    expect(await t.applier.delete(ref)).toBe(true);
    cleanup.splice(cleanup.indexOf(ref), 1); // a second DELETE of a terminating namespace is a 409
  });

  it('applies, orphans and deletes objects of CRD kinds, namespaced and cluster-scoped', async () => {
    const group = `${uniqueName('t')}.apply.lynq.test`;
    const widgets = testCrd(group, 'Widget', 'Namespaced');
    const gadgets = testCrd(group, 'Gadget', 'Cluster');
    cleanup.push(refOf(widgets), refOf(gadgets));
    // Discovery is refreshed when a kind is unknown, so a CRD installed later is found.
    const applier = new Applier(t.client, { discovery: { minRefreshIntervalMs: 0 } });
    const widget: KubeObject = {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'w', namespace: nodeNs.name },
      spec: { size: 3, color: 'red' },
    };
    await expect(applier.apply(widget)).rejects.toBeInstanceOf(UnknownKindError);
    await installCrd({ applier, client: t.client }, widgets);
    await installCrd({ applier, client: t.client }, gadgets);

    const created = await applier.apply(widget, own('Delete', nodeNs.name));
    expect(created.action).toBe('created');
    expect(created.object['spec']).toEqual({ size: 3, color: 'red' });
    expect((await applier.apply(widget, own('Delete', nodeNs.name))).action).toBe('unchanged');
    const typo = { ...widget, spec: { size: 3, colour: 'red' } };
    await expect(applier.apply(typo)).rejects.toThrow(/colour/);

    const gadget: KubeObject = {
      apiVersion: `${group}/v1`,
      kind: 'Gadget',
      metadata: { name: 'g' },
      spec: { size: 1 },
    };
    expect((await applier.apply(gadget)).action).toBe('created');

    const widgetRef: ObjectRef = {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      namespace: nodeNs.name,
      name: 'w',
    };
    const gadgetRef: ObjectRef = { apiVersion: `${group}/v1`, kind: 'Gadget', name: 'g' };
    const orphanWidget = await applier.markOrphaned(widgetRef, {
      reason: OrphanReasons.RemovedFromTemplate,
    });
    expect(orphanWidget?.metadata.ownerReferences).toBeUndefined();
    expect(labelsOf(orphanWidget)[Labels.Orphaned]).toBe('true');
    const orphanGadget = await applier.markOrphaned(gadgetRef, {
      reason: OrphanReasons.RemovedFromTemplate,
    });
    expect(labelsOf(orphanGadget)[Labels.Orphaned]).toBe('true');
    expect(await applier.delete(widgetRef)).toBe(true);
    expect(await applier.delete(gadgetRef)).toBe(true);
    expect(await applier.delete(gadgetRef)).toBe(false);
  });

  it('reports an unknown kind and an unserved group version clearly', async () => {
    const unknownKind = t.applier.apply({
      apiVersion: 'v1',
      kind: 'Widget',
      metadata: { name: 'x', namespace: nodeNs.name },
    });
    await expect(unknownKind).rejects.toThrow(/unknown kind Widget in v1: v1 has no kind Widget/);
    const unknownGroup = t.applier.apply({
      apiVersion: 'nothing.example.com/v9',
      kind: 'Thing',
      metadata: { name: 'x' },
    });
    await expect(unknownGroup).rejects.toThrow(/does not serve nothing.example.com\/v9/);
    await expect(
      t.applier.delete({ apiVersion: 'v1', kind: 'Nope', name: 'x' }),
    ).rejects.toBeInstanceOf(UnknownKindError);
  });
});
