import { Annotations, API_VERSION, Kinds, Labels, OrphanReasons } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from './object-ref.js';
import { hasOrphanMarkers, orphanClearPatch, orphanMarkPatch } from './orphan-markers.js';

const now = new Date('2026-11-22T03:04:05.678Z');
const live: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'cm',
    namespace: 'ns',
    resourceVersion: '42',
    labels: { app: 'x', [Labels.Node]: 'n', [Labels.NodeNamespace]: 'ns' },
    ownerReferences: [
      { apiVersion: API_VERSION, kind: Kinds.Node, name: 'n', uid: 'u1', controller: true },
      { apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'u2' },
    ],
  },
};

describe('orphan markers', () => {
  it('builds a mark patch: markers added, tracking labels and node ownerReferences removed', () => {
    expect(orphanMarkPatch(live, OrphanReasons.NodeDeleted, now, { name: 'n', uid: 'u1' })).toEqual(
      {
        metadata: {
          resourceVersion: '42',
          labels: { [Labels.Orphaned]: 'true', [Labels.Node]: null, [Labels.NodeNamespace]: null },
          annotations: {
            [Annotations.OrphanedAt]: '2026-11-22T03:04:05Z',
            [Annotations.OrphanedReason]: 'LynqNodeDeleted',
          },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'u2' }],
        },
      },
    );
  });

  it('leaves ownerReferences of other nodes, and omits them when nothing changes', () => {
    const patch = orphanMarkPatch(live, OrphanReasons.RemovedFromTemplate, now, {
      name: 'other',
      uid: 'u9',
    });
    expect((patch['metadata'] as Record<string, unknown>)['ownerReferences']).toBeUndefined();
    const onlyNode: KubeObject = {
      ...live,
      metadata: { ...live.metadata, ownerReferences: [live.metadata.ownerReferences![0]!] },
    };
    const cleared = orphanMarkPatch(onlyNode, OrphanReasons.RemovedFromTemplate, now);
    expect((cleared['metadata'] as Record<string, unknown>)['ownerReferences']).toBeNull();
  });

  it('detects and clears markers', () => {
    expect(hasOrphanMarkers(live)).toBe(false);
    const marked: KubeObject = {
      ...live,
      metadata: { ...live.metadata, annotations: { [Annotations.OrphanedReason]: 'x' } },
    };
    expect(hasOrphanMarkers(marked)).toBe(true);
    expect(orphanClearPatch(marked)).toEqual({
      metadata: {
        resourceVersion: '42',
        labels: { [Labels.Orphaned]: null },
        annotations: { [Annotations.OrphanedAt]: null, [Annotations.OrphanedReason]: null },
      },
    });
  });
});
