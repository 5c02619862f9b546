import { describe, expect, it } from 'vitest';
import {
  decideCreation,
  decideOwnership,
  decideRemoval,
  decideWrite,
  liveDeletionPolicy,
} from './lifecycle.js';

const node = { name: 'acme-web', namespace: 'tenants', uid: 'uid-1' };
const live = (annotations: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', namespace: 'tenants', resourceVersion: '42', annotations },
});

describe('decideCreation', () => {
  it.each([
    {
      name: 'Once, object absent → apply and stamp created-once',
      input: { creationPolicy: 'Once' as const, live: undefined },
      expected: {
        action: 'apply',
        annotations: { 'lynq.sh/created-once': 'true' },
        useIgnoreFields: false,
      },
    },
    {
      name: 'Once, unmarked object exists → adopt: apply and stamp, no ignoreFields',
      input: { creationPolicy: 'Once' as const, live: live() },
      expected: {
        action: 'apply',
        annotations: { 'lynq.sh/created-once': 'true' },
        useIgnoreFields: false,
      },
    },
    {
      name: 'Once, already created → skip, counted ready',
      input: { creationPolicy: 'Once' as const, live: live({ 'lynq.sh/created-once': 'true' }) },
      expected: { action: 'skip', countAsReady: true },
    },
    {
      name: 'WhenNeeded, object absent → apply with template values',
      input: { creationPolicy: 'WhenNeeded' as const, live: undefined },
      expected: { action: 'apply', annotations: {}, useIgnoreFields: false },
    },
    {
      name: 'WhenNeeded, object exists → apply preserving ignoreFields',
      input: {
        creationPolicy: 'WhenNeeded' as const,
        live: live({ 'lynq.sh/created-once': 'true' }),
      },
      expected: { action: 'apply', annotations: {}, useIgnoreFields: true },
    },
    {
      name: 'WhenNeeded, object exists, no ignoreFields',
      input: { creationPolicy: 'WhenNeeded' as const, live: live(), hasIgnoreFields: false },
      expected: { action: 'apply', annotations: {}, useIgnoreFields: false },
    },
  ])('$name', ({ input, expected }) => {
    expect(decideCreation(input)).toMatchObject(expected);
  });
});

describe('decideOwnership', () => {
  const ownerRef = {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqNode',
    name: 'acme-web',
    uid: 'uid-1',
    controller: true,
    blockOwnerDeletion: true,
  };
  const labels = { 'lynq.sh/node': 'acme-web', 'lynq.sh/node-namespace': 'tenants' };
  it.each([
    {
      name: 'same namespace + Delete',
      policy: 'Delete' as const,
      ns: 'tenants',
      namespaced: true,
      mode: 'ownerReference',
    },
    {
      name: 'namespace omitted (defaults to the node’s) + Delete',
      policy: 'Delete' as const,
      ns: undefined,
      namespaced: true,
      mode: 'ownerReference',
    },
    {
      name: 'empty namespace (the node’s) + Delete',
      policy: 'Delete' as const,
      ns: '',
      namespaced: true,
      mode: 'ownerReference',
    },
    {
      name: 'same namespace + Retain',
      policy: 'Retain' as const,
      ns: 'tenants',
      namespaced: true,
      mode: 'labels',
    },
    {
      name: 'cross-namespace + Delete',
      policy: 'Delete' as const,
      ns: 'other',
      namespaced: true,
      mode: 'labels',
    },
    {
      name: 'cluster-scoped (Namespace) + Delete',
      policy: 'Delete' as const,
      ns: 'tenants',
      namespaced: false,
      mode: 'labels',
    },
  ])('$name → $mode', ({ policy, ns, namespaced, mode }) => {
    const d = decideOwnership({ deletionPolicy: policy, node, targetNamespace: ns, namespaced });
    expect(d.mode).toBe(mode);
    expect(d.annotations).toEqual({ 'lynq.sh/deletion-policy': policy });
    if (d.mode === 'ownerReference') expect(d.ownerReference).toEqual(ownerRef);
    else expect(d.labels).toEqual(labels);
    expect(d.reason).not.toBe('');
  });
});

describe('decideRemoval', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');
  it('deletes with Delete or no stamped policy', () => {
    expect(decideRemoval({ deletionPolicy: 'Delete', reason: 'LynqNodeDeleted', now })).toEqual({
      action: 'delete',
    });
    expect(decideRemoval({ deletionPolicy: undefined, reason: 'LynqNodeDeleted', now })).toEqual({
      action: 'delete',
    });
  });
  it('orphans with Retain: markers, and the tracking labels removed', () => {
    expect(decideRemoval({ deletionPolicy: 'Retain', reason: 'RemovedFromTemplate', now })).toEqual(
      {
        action: 'orphan',
        removeLabels: ['lynq.sh/node', 'lynq.sh/node-namespace'],
        labels: { 'lynq.sh/orphaned': 'true' },
        annotations: {
          'lynq.sh/orphaned-at': '2026-01-02T03:04:05Z',
          'lynq.sh/orphaned-reason': 'RemovedFromTemplate',
        },
      },
    );
  });
  it('reads the policy stamped on the live object', () => {
    expect(liveDeletionPolicy(live({ 'lynq.sh/deletion-policy': 'Retain' }))).toBe('Retain');
    expect(liveDeletionPolicy(live({ 'lynq.sh/deletion-policy': 'bogus' }))).toBe('Delete');
    expect(liveDeletionPolicy(undefined)).toBe('Delete');
  });
});

describe('decideWrite', () => {
  it.each([
    {
      strategy: 'apply' as const,
      conflict: 'Stuck' as const,
      exists: true,
      expected: {
        method: 'server-side-apply',
        fieldManager: 'lynq-operator',
        force: false,
        onConflict: 'fail',
      },
    },
    {
      strategy: 'apply' as const,
      conflict: 'Force' as const,
      exists: false,
      expected: {
        method: 'server-side-apply',
        fieldManager: 'lynq-operator',
        force: true,
        onConflict: 'force',
      },
    },
    {
      strategy: 'merge' as const,
      conflict: 'Force' as const,
      exists: false,
      expected: { method: 'create' },
    },
    {
      strategy: 'merge' as const,
      conflict: 'Stuck' as const,
      exists: true,
      expected: { method: 'json-merge-patch' },
    },
    {
      strategy: 'replace' as const,
      conflict: 'Stuck' as const,
      exists: false,
      expected: { method: 'create' },
    },
    {
      strategy: 'replace' as const,
      conflict: 'Force' as const,
      exists: true,
      expected: { method: 'update', resourceVersion: '42' },
    },
  ])('$strategy / $conflict / exists=$exists', ({ strategy, conflict, exists, expected }) => {
    expect(
      decideWrite({
        patchStrategy: strategy,
        conflictPolicy: conflict,
        live: exists ? live() : undefined,
      }),
    ).toEqual(expected);
  });
});
