import type { KubeObject } from '@lynq/runtime';
import { describe, expect, it } from 'vitest';
import { meaningful, owningNodes } from './live-objects.js';

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
