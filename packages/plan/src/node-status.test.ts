import { describe, expect, it } from 'vitest';
import { equalStatus } from './equal-status.js';
import { NodePlanError } from './node-plan-error.js';
import { computeNodeErrorStatus, computeNodeStatus } from './node-status.js';
import { resourceKey } from './resource-key.js';
import { LATER, NOW, stored } from './testdata/fixtures.js';

const node = stored({
  apiVersion: 'operator.lynq.sh/v1',
  kind: 'LynqNode',
  metadata: { name: 'acme-web', namespace: 'apps' },
  spec: { uid: 'acme', templateRef: 'web' },
});
const keys = [
  resourceKey({ apiVersion: 'v1', kind: 'Service', namespace: 'apps', name: 'svc', id: 'svc' }),
  resourceKey({ apiVersion: 'v1', kind: 'Namespace', name: 'acme-ns', id: 'ns' }),
];

describe('computeNodeStatus', () => {
  it('counts like Lynq and lists applied objects both ways, sorted', () => {
    const { status, degradedReason } = computeNodeStatus({
      node,
      results: [
        { id: 'svc', outcome: 'ready' },
        { id: 'ns', outcome: 'conflicted' },
        { id: 'job', outcome: 'skipped' },
      ],
      applied: keys,
      now: NOW,
    });
    expect(status).toMatchObject({
      observedGeneration: 1,
      desiredResources: 3,
      readyResources: 1,
      failedResources: 1,
      conflictedResources: 1,
      skippedResources: 1,
      skippedResourceIds: ['job'],
      appliedResources: ['Namespace/acme-ns@ns', 'Service/apps/svc@svc'],
      appliedResourceRefs: [
        { apiVersion: 'v1', kind: 'Namespace', name: 'acme-ns', id: 'ns' },
        { apiVersion: 'v1', kind: 'Service', namespace: 'apps', name: 'svc', id: 'svc' },
      ],
    });
    expect(status.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'False', 'ResourcesConflicted'],
      ['Progressing', 'False', 'ReconcileComplete'],
      ['Conflicted', 'True', 'ResourceConflict'],
      ['Degraded', 'True', 'ResourceConflicts'],
    ]);
    expect(degradedReason).toBe('ResourceConflicts');
    // The same outcome later is the same status: nothing to write.
    const again = computeNodeStatus({
      node: { ...node, status },
      results: [
        { id: 'svc', outcome: 'ready' },
        { id: 'ns', outcome: 'conflicted' },
        { id: 'job', outcome: 'skipped' },
      ],
      applied: [...keys].reverse(),
      now: LATER,
    });
    expect(equalStatus(again.status, status)).toBe(true);
  });

  it('marks a node that cannot be planned, keeping what it applied', () => {
    const before = computeNodeStatus({
      node,
      results: [{ id: 'svc', outcome: 'ready' }],
      applied: keys,
      now: NOW,
    }).status;
    const status = computeNodeErrorStatus({
      node: { ...node, status: before },
      error: new NodePlanError(
        'VariablesBuildError',
        "metadata.annotations['lynq.sh/extra']",
        'bad extras',
      ),
      now: LATER,
    });
    expect(status.appliedResourceRefs).toEqual(before.appliedResourceRefs);
    expect(status.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'VariablesBuildError',
      message: 'bad extras',
      lastTransitionTime: '2026-07-01T12:05:00Z',
    });
    expect(status.conditions!.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'VariablesBuildError',
    });
    // Progressing and Conflicted are left as they were.
    expect(status.conditions!.find((c) => c.type === 'Progressing')!.lastTransitionTime).toBe(
      '2026-07-01T12:00:00Z',
    );
  });
});
