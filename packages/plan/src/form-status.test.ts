import type { LynqForm, LynqNode } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { computeFormStatus } from './form-status.js';
import { LATER, NOW, form, stored } from './testdata/fixtures.js';

function node(
  name: string,
  generation: string,
  ready: boolean,
  updateStart = '2026-07-01T11:00:00Z',
): LynqNode {
  return stored(
    {
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqNode',
      metadata: {
        name,
        namespace: 'apps',
        annotations: {
          'lynq.sh/template-generation': generation,
          'lynq.sh/rollout-update-start': updateStart,
        },
      },
      spec: { uid: name, templateRef: 'web' },
    },
    { ready },
  );
}

const withStatus = (f: LynqForm, status: LynqForm['status']): LynqForm => ({ ...f, status });

describe('computeFormStatus', () => {
  it('is Valid with counts and Applied for a valid form', () => {
    const f = form('web');
    const r = computeFormStatus({
      form: f,
      hubFound: true,
      errors: [],
      nodes: [
        node('a', '1', true),
        node('b', '1', false),
        { ...node('x', '1', true), spec: { uid: 'x', templateRef: 'api' } },
      ],
      now: NOW,
    });
    expect(r.status).toEqual({
      observedGeneration: 1,
      totalNodes: 2,
      readyNodes: 1,
      conditions: [
        {
          type: 'Valid',
          status: 'True',
          reason: 'ValidationPassed',
          message: 'Template validation passed',
          observedGeneration: 1,
          lastTransitionTime: '2026-07-01T12:00:00Z',
        },
        {
          type: 'Applied',
          status: 'False',
          reason: 'NotAllNodesReady',
          message: '1/2 nodes ready',
          observedGeneration: 1,
          lastTransitionTime: '2026-07-01T12:00:00Z',
        },
      ],
    });
    expect(r.events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'ValidationPassed', 'Template validation passed successfully'],
    ]);
    // Nothing changed: same status, no event.
    const again = computeFormStatus({
      form: withStatus(f, r.status),
      hubFound: true,
      errors: [],
      nodes: [node('a', '1', true), node('b', '1', false)],
      now: LATER,
    });
    expect(again.status).toEqual(r.status);
    expect(again.events).toEqual([]);
  });

  it('lists every error, missing hub first, with events once per change', () => {
    const f = form('web');
    const errors = [
      {
        path: 'spec.configMaps[0].id',
        message: 'duplicate resource ID "app" (also used by spec.deployments[0])',
      },
      {
        path: 'spec.deployments[0].dependIds[0]',
        message:
          "dependency validation failed: resource 'app' depends on non-existent resource 'db'",
      },
    ];
    const r = computeFormStatus({ form: f, hubFound: false, errors, nodes: [], now: NOW });
    const valid = r.status.conditions!.find((c) => c.type === 'Valid')!;
    expect(valid).toMatchObject({ status: 'False', reason: 'ValidationFailed' });
    expect(valid.message).toBe(
      "Validation errors: [spec.hubId: Referenced LynqHub 'tenants' not found in namespace 'apps'; spec.configMaps[0].id: duplicate resource ID \"app\" (also used by spec.deployments[0]); spec.deployments[0].dependIds[0]: dependency validation failed: resource 'app' depends on non-existent resource 'db']",
    );
    expect(r.events.map((e) => e.reason)).toEqual([
      'HubNotFound',
      'DuplicateResourceIDs',
      'DependencyValidationFailed',
      'ValidationFailed',
    ]);
    expect(r.events[0]!.message).toBe("Referenced LynqHub 'tenants' not found in namespace 'apps'");
    expect(r.events[0]!.regarding).toEqual({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqForm',
      namespace: 'apps',
      name: 'web',
    });
    const same = computeFormStatus({
      form: withStatus(f, r.status),
      hubFound: false,
      errors,
      nodes: [],
      now: LATER,
    });
    expect(same.events).toEqual([]);
    expect(same.status).toEqual(r.status);
    const fixed = computeFormStatus({
      form: withStatus(f, same.status),
      hubFound: true,
      errors: [],
      nodes: [],
      now: LATER,
    });
    expect(fixed.events.map((e) => e.reason)).toEqual(['ValidationPassed']);
    expect(fixed.status.conditions!.find((c) => c.type === 'Applied')).toMatchObject({
      reason: 'NoNodes',
    });
  });

  it('reports the rollout with maxSkew, Failed past progressDeadlineSeconds, and drops it without', () => {
    const paced = form(
      'web',
      { rollout: { maxSkew: 1, progressDeadlineSeconds: 60 } },
      { generation: 2 },
    );
    const nodes = [node('a', '2', false, '2026-07-01T11:50:00Z'), node('b', '1', true)];
    const r = computeFormStatus({ form: paced, hubFound: true, errors: [], nodes, now: NOW });
    expect(r.status.rollout).toMatchObject({
      phase: 'Failed',
      targetGeneration: 2,
      totalNodes: 2,
      updatedNodes: 1,
      updatingNodes: 1,
      readyUpdatedNodes: 0,
    });
    expect(r.stuckNodes).toEqual(['a']);
    expect(r.events.map((e) => [e.type, e.reason])).toEqual([
      ['Normal', 'ValidationPassed'],
      ['Warning', 'RolloutFailed'],
    ]);
    const unpaced = computeFormStatus({
      form: withStatus(form('web'), r.status),
      hubFound: true,
      errors: [],
      nodes,
      now: LATER,
    });
    expect(unpaced.status).not.toHaveProperty('rollout');
  });
});
