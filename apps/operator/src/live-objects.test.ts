import type { KubeObject } from '@lynq/runtime';
import { describe, expect, it } from 'vitest';
import {
  RecentWrites,
  becameReady,
  meaningful,
  owningNodes,
  statusOnlyMoved,
} from './live-objects.js';

const base = (
  over: Partial<KubeObject['metadata']> = {},
  rest: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'ns', generation: 1, resourceVersion: '1', ...over },
  ...rest,
});

describe('owningNodes', () => {
  it('follows a controller ownerReference to a LynqNode in the same namespace', () => {
    const obj = base({
      ownerReferences: [
        {
          apiVersion: 'operator.lynq.sh/v1',
          kind: 'LynqNode',
          name: 'acme-web',
          uid: 'u',
          controller: true,
        },
      ],
    });
    expect(owningNodes(obj)).toEqual([{ namespace: 'ns', name: 'acme-web' }]);
  });

  it('follows the tracking labels of cross-namespace and retained objects', () => {
    const obj = base({ labels: { 'lynq.sh/node': 'acme-web', 'lynq.sh/node-namespace': 'apps' } });
    expect(owningNodes(obj)).toEqual([{ namespace: 'apps', name: 'acme-web' }]);
  });

  it('ignores other owners and half a label pair', () => {
    expect(
      owningNodes(
        base({
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'u' }],
        }),
      ),
    ).toEqual([]);
    expect(owningNodes(base({ labels: { 'lynq.sh/node': 'x' } }))).toEqual([]);
  });
});

describe('meaningful', () => {
  it('ignores a resourceVersion or managedFields bump', () => {
    expect(meaningful(base(), base({ resourceVersion: '2', managedFields: [{}] }))).toBe(false);
  });

  it('sees spec (generation), status, labels and annotations changes', () => {
    expect(meaningful(base(), base({ generation: 2 }))).toBe(true);
    expect(meaningful(base(), base({}, { status: { readyReplicas: 1 } }))).toBe(true);
    expect(meaningful(base(), base({ labels: { a: 'b' } }))).toBe(true);
    expect(meaningful(base(), base({ annotations: { a: 'b' } }))).toBe(true);
  });

  it('sees data changes of kinds without a generation', () => {
    const cm = (data: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'ns' },
      data,
    });
    expect(meaningful(cm({ a: '1' }), cm({ a: '2' }))).toBe(true);
    expect(meaningful(cm({ a: '1' }), cm({ a: '1' }))).toBe(false);
  });
});

describe('RecentWrites', () => {
  const cm = (rv: string, name = 'c'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'ns', resourceVersion: rv },
  });
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'c' };

  it('answers with the written object until the watch delivers it', () => {
    const writes = new RecentWrites();
    writes.wrote(cm('7'));
    expect(writes.fresher(ref, cm('6'))?.metadata.resourceVersion).toBe('7');
    expect(writes.fresher(ref, undefined)?.metadata.resourceVersion).toBe('7');
    writes.seen(cm('7'));
    expect(writes.fresher(ref, cm('8'))?.metadata.resourceVersion).toBe('8');
    expect(writes.size).toBe(0);
  });

  it('lets go once the cache holds the write, on deletion, and after its time', () => {
    let now = 0;
    const writes = new RecentWrites(1000, () => now);
    writes.wrote(cm('7'));
    expect(writes.fresher(ref, cm('7'))?.metadata.resourceVersion).toBe('7');
    expect(writes.size).toBe(0);
    writes.wrote(cm('9'));
    writes.seen(cm('9'), true);
    expect(writes.fresher(ref, undefined)).toBeUndefined();
    writes.wrote(cm('11'));
    writes.seen(cm('10')); // an older event: the write is still fresher
    expect(writes.fresher(ref, cm('10'))?.metadata.resourceVersion).toBe('11');
    now = 1001; // a relist skipped it
    expect(writes.fresher(ref, cm('12'))?.metadata.resourceVersion).toBe('12');
  });

  it('keys by group, kind, namespace and name, not the version', () => {
    const writes = new RecentWrites();
    writes.wrote({ ...cm('5', 'd'), apiVersion: 'apps/v1', kind: 'Deployment' });
    const other = { apiVersion: 'apps/v1beta2', kind: 'Deployment', namespace: 'ns', name: 'd' };
    expect(writes.fresher(other, undefined)?.metadata.resourceVersion).toBe('5');
    expect(writes.fresher({ ...other, name: 'e' }, undefined)).toBeUndefined();
    expect(writes.fresher({ ...ref, name: 'd' }, undefined)).toBeUndefined();
  });
});

describe('RecentWrites and a watch faster than the write’s answer', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'd' };
  const dep = (rv: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'ns', resourceVersion: rv },
  });

  it('a cache already past the write wins (the status updates that followed it are kept)', () => {
    const writes = new RecentWrites();
    writes.seen(dep('100')); // the ADDED event came first
    writes.wrote(dep('100')); // then the apply's answer
    writes.seen(dep('101')); // the controller manager's status update
    expect(writes.fresher(ref, dep('102'))?.metadata.resourceVersion).toBe('102');
    expect(writes.size).toBe(0);
  });

  it('without integer resourceVersions, only the written one ends the entry', () => {
    const writes = new RecentWrites();
    writes.wrote(dep('b'));
    writes.seen(dep('c'));
    expect(writes.fresher(ref, dep('c'))?.metadata.resourceVersion).toBe('b');
    writes.seen(dep('b'));
    expect(writes.fresher(ref, dep('c'))?.metadata.resourceVersion).toBe('c');
  });
});

describe('becameReady', () => {
  const deployment = (available: number, observedGeneration = 1): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', generation: 1 },
    spec: { replicas: 1 },
    status: {
      observedGeneration,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: available,
      readyReplicas: available,
      conditions: [{ type: 'Available', status: available > 0 ? 'True' : 'False' }],
    },
  });

  it('is true only for the change that makes the object ready', () => {
    expect(becameReady(deployment(0), deployment(1))).toBe(true);
    expect(becameReady(deployment(0, 0), deployment(0))).toBe(false); // moving along, not ready
    expect(becameReady(deployment(1), deployment(1))).toBe(false); // ready before already
    expect(becameReady(deployment(1), deployment(0))).toBe(false); // lost readiness
  });
});

describe('statusOnlyMoved', () => {
  const deployment = (
    status: Record<string, unknown>,
    over: Partial<KubeObject['metadata']> = {},
  ) =>
    base(over, {
      spec: { replicas: 1 },
      status: { observedGeneration: 1, replicas: 1, ...status },
    });
  const notReady = (updated: number) => ({ updatedReplicas: updated, availableReplicas: 0 });
  const ready = {
    updatedReplicas: 1,
    availableReplicas: 1,
    readyReplicas: 1,
    conditions: [{ type: 'Available', status: 'True' }],
  };

  it('is true for a status moving along on the same side of ready', () => {
    expect(statusOnlyMoved(deployment(notReady(0)), deployment(notReady(1)))).toBe(true);
    expect(statusOnlyMoved(deployment(ready), deployment({ ...ready, replicas: 2 }))).toBe(true);
  });

  it('is false when readiness flips either way: the node must look now', () => {
    expect(statusOnlyMoved(deployment(notReady(1)), deployment(ready))).toBe(false);
    expect(statusOnlyMoved(deployment(ready), deployment(notReady(1)))).toBe(false);
  });

  it('is false for spec, metadata, deletion, and kinds without a generation', () => {
    const s = notReady(0);
    expect(statusOnlyMoved(deployment(s), deployment(s, { generation: 2 }))).toBe(false);
    expect(statusOnlyMoved(deployment(s), deployment(s, { labels: { a: 'b' } }))).toBe(false);
    expect(statusOnlyMoved(deployment(s), deployment(s, { annotations: { a: 'b' } }))).toBe(false);
    expect(
      statusOnlyMoved(deployment(s), deployment(s, { deletionTimestamp: '2026-12-06T00:00:00Z' })),
    ).toBe(false);
    const cm = (data: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'ns' },
      data,
    });
    expect(statusOnlyMoved(cm({ a: '1' }), cm({ a: '2' }))).toBe(false);
  });
});
