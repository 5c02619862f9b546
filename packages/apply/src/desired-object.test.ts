import { Annotations } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { checkObjectShape, hashedView, normalizeDesired, scopedRef } from './desired-object.js';
import { InvalidObjectError } from './errors.js';
import type { KubeObject } from './object-ref.js';
import type { ResourceMapping } from './resource-path.js';

const cmMapping: ResourceMapping = {
  apiVersion: 'v1',
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
};
const nsMapping: ResourceMapping = {
  apiVersion: 'v1',
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
};

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidObjectError) return err.field;
    throw err;
  }
  return undefined;
}

describe('checkObjectShape', () => {
  it('returns the ref of a well-formed object', () => {
    expect(
      checkObjectShape({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a', namespace: 'n' },
      }),
    ).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'a',
      namespace: 'n',
    });
  });

  it('names the offending field', () => {
    expect(fieldOf(() => checkObjectShape([]))).toBe('<root>');
    expect(fieldOf(() => checkObjectShape({ kind: 'ConfigMap', metadata: { name: 'a' } }))).toBe(
      'apiVersion',
    );
    expect(fieldOf(() => checkObjectShape({ apiVersion: 'v1', metadata: { name: 'a' } }))).toBe(
      'kind',
    );
    expect(fieldOf(() => checkObjectShape({ apiVersion: 'v1', kind: 'X' }))).toBe('metadata');
    expect(
      fieldOf(() =>
        checkObjectShape({ apiVersion: 'v1', kind: 'X', metadata: { generateName: 'a-' } }),
      ),
    ).toBe('metadata.name');
    expect(
      fieldOf(() =>
        checkObjectShape({
          apiVersion: 'v1',
          kind: 'X',
          metadata: { name: 'a', labels: { a: 1 } },
        }),
      ),
    ).toBe('metadata.labels');
  });
});

describe('normalizeDesired', () => {
  it('drops server-owned metadata and apply bookkeeping, without touching the input', () => {
    const input: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'a',
        namespace: 'n',
        uid: 'u',
        resourceVersion: '1',
        managedFields: [],
        creationTimestamp: 't',
        annotations: {
          keep: 'k',
          [Annotations.AppliedHash]: 'h',
          [Annotations.ApplyStartTime]: 't',
        },
      },
      data: { x: 'y' },
    };
    expect(normalizeDesired(input, cmMapping)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'n', annotations: { keep: 'k' } },
      data: { x: 'y' },
    });
    expect(input.metadata.uid).toBe('u');
  });

  it('removes the namespace of a cluster-scoped kind and requires one for a namespaced kind', () => {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 't', namespace: 'node-ns' },
    };
    expect(normalizeDesired(ns, nsMapping).metadata).toEqual({ name: 't' });
    expect(
      scopedRef({ apiVersion: 'v1', kind: 'Namespace', name: 't', namespace: 'x' }, nsMapping),
    ).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 't',
    });
    const noNs: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } };
    expect(fieldOf(() => normalizeDesired(noNs, cmMapping))).toBe('metadata.namespace');
  });
});

describe('hashedView', () => {
  it('puts back what Go hashes and normalizeDesired removed: creationTimestamp, a cluster-scoped namespace', () => {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 't', namespace: 'node-ns', creationTimestamp: null, uid: 'u' },
    };
    const sent = normalizeDesired(ns, nsMapping);
    expect(hashedView(sent, ns).metadata).toEqual({
      name: 't',
      namespace: 'node-ns',
      creationTimestamp: null,
    });
    expect(sent.metadata).toEqual({ name: 't' }); // not modified
  });

  it('returns the object itself when there is nothing to put back', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'n' },
    };
    const sent = normalizeDesired(cm, cmMapping);
    expect(hashedView(sent, cm)).toBe(sent);
    const emptyNamespace: KubeObject = {
      ...cm,
      kind: 'Namespace',
      metadata: { name: 'a', namespace: '' },
    };
    const sentNs = normalizeDesired(emptyNamespace, nsMapping);
    expect(hashedView(sentNs, emptyNamespace)).toBe(sentNs);
  });
});
