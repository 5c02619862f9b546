import { Annotations, API_VERSION, Kinds, Labels } from '@lynq/api';
import { decideOwnership } from '@lynq/policy';
import { describe, expect, it } from 'vitest';
import { InvalidObjectError } from './errors.js';
import type { KubeObject } from './object-ref.js';
import { withOwnership } from './ownership.js';

const cm: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cm', namespace: 'ns', labels: { app: 'x' }, annotations: { note: 'n' } },
};
const node = { name: 'node-a', namespace: 'ns', uid: 'uid-a' };
const ownedDecision = decideOwnership({
  deletionPolicy: 'Delete',
  node,
  targetNamespace: 'ns',
  namespaced: true,
});

describe('withOwnership', () => {
  it('adds a controller ownerReference with blockOwnerDeletion and the deletion policy', () => {
    expect(ownedDecision.mode).toBe('ownerReference');
    const out = withOwnership(cm, ownedDecision, true);
    expect(out.metadata.ownerReferences).toEqual([
      {
        apiVersion: API_VERSION,
        kind: Kinds.Node,
        name: 'node-a',
        uid: 'uid-a',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(out.metadata.annotations).toEqual({ note: 'n', [Annotations.DeletionPolicy]: 'Delete' });
    expect(out.metadata.labels).toEqual({ app: 'x' });
    expect(cm.metadata.ownerReferences).toBeUndefined(); // input untouched
  });

  it('replaces its own earlier reference and keeps other non-controller owners', () => {
    const withRefs: KubeObject = {
      ...cm,
      metadata: {
        ...cm.metadata,
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'uid-s' },
          {
            apiVersion: API_VERSION,
            kind: Kinds.Node,
            name: 'old-name',
            uid: 'uid-a',
            controller: true,
          },
        ],
      },
    };
    const refs = withOwnership(withRefs, ownedDecision, true).metadata.ownerReferences;
    expect(refs?.map((r) => r.uid)).toEqual(['uid-s', 'uid-a']);
    expect(refs?.[1]?.name).toBe('node-a');
  });

  it('replaces a reference to the same node by group, kind and name in place, as Go does', () => {
    const withRefs: KubeObject = {
      ...cm,
      metadata: {
        ...cm.metadata,
        ownerReferences: [
          { apiVersion: API_VERSION, kind: Kinds.Node, name: 'node-a', uid: 'stale-uid' },
          { apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'uid-s' },
        ],
      },
    };
    const refs = withOwnership(withRefs, ownedDecision, true).metadata.ownerReferences;
    expect(refs?.map((r) => `${r.kind}/${r.uid}`)).toEqual([`${Kinds.Node}/uid-a`, 'Secret/uid-s']);
    expect(refs?.[0]).toEqual(
      ownedDecision.mode === 'ownerReference' && ownedDecision.ownerReference,
    );
  });

  it('refuses a second controller and an ownerReference on a cluster-scoped object', () => {
    const controlled: KubeObject = {
      ...cm,
      metadata: {
        ...cm.metadata,
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u', controller: true },
        ],
      },
    };
    expect(() => withOwnership(controlled, ownedDecision, true)).toThrow(/at most one controller/);
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };
    expect(() => withOwnership(ns, ownedDecision, false)).toThrow(InvalidObjectError);
    expect(() => withOwnership(ns, ownedDecision, false)).toThrow(/cluster-scoped/);
  });

  it('sets the tracking labels for label ownership (Retain, cross-namespace, cluster-scoped)', () => {
    const retain = decideOwnership({
      deletionPolicy: 'Retain',
      node,
      targetNamespace: 'ns',
      namespaced: true,
    });
    const out = withOwnership(cm, retain, true);
    expect(out.metadata.labels).toEqual({
      app: 'x',
      [Labels.Node]: 'node-a',
      [Labels.NodeNamespace]: 'ns',
    });
    expect(out.metadata.ownerReferences).toBeUndefined();
    expect(out.metadata.annotations?.[Annotations.DeletionPolicy]).toBe('Retain');

    const elsewhere = decideOwnership({
      deletionPolicy: 'Delete',
      node,
      targetNamespace: 'other',
      namespaced: true,
    });
    const moved = withOwnership(
      { ...cm, metadata: { ...cm.metadata, namespace: 'other' } },
      elsewhere,
      true,
    );
    expect(moved.metadata.labels?.[Labels.NodeNamespace]).toBe('ns');
    expect(moved.metadata.ownerReferences).toBeUndefined();

    const clusterScoped = decideOwnership({
      deletionPolicy: 'Delete',
      node,
      targetNamespace: undefined,
      namespaced: false,
    });
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant' } };
    expect(withOwnership(ns, clusterScoped, false).metadata.labels?.[Labels.Node]).toBe('node-a');
  });
});
