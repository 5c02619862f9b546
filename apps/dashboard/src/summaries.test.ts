import { describe, expect, it } from 'vitest';
import {
  formSummary,
  hubSummary,
  nodeSummary,
  overviewOf,
  resourceIdOfEvent,
} from './summaries.js';
import { event, form, hub, node } from './testdata/objects.js';

describe('summaries', () => {
  it('classifies hubs by their Ready condition and shows when they became healthy', () => {
    expect(hubSummary(hub('a', true))).toMatchObject({
      health: 'ready',
      healthySince: '2026-01-01T00:00:00Z',
      desired: 3,
    });
    const failing = hubSummary(hub('b', false));
    expect(failing).toMatchObject({ health: 'failed', message: 'connect ECONNREFUSED' });
    expect(failing.healthySince).toBeUndefined();
  });

  it('reports a deletion-guard hold', () => {
    const h = hub('a', true);
    h.status!.conditions!.push({
      type: 'Degraded',
      status: 'True',
      reason: 'DeletionGuardHeld',
      message: 'held 12 deletions',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    expect(hubSummary(h).guardHeld).toBe('held 12 deletions');
  });

  it('summarises a form with its rollout', () => {
    const s = formSummary(form('web', 'hub'));
    expect(s).toMatchObject({
      health: 'pending',
      valid: true,
      resources: 3,
      rollout: { phase: 'InProgress', updatedNodes: 1 },
    });
    const applied = form('web', 'hub');
    applied.status!.conditions = [
      {
        type: 'Valid',
        status: 'True',
        reason: 'ValidationPassed',
        message: 'ok',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
      {
        type: 'Applied',
        status: 'True',
        reason: 'AllNodesReady',
        message: '2/2 nodes ready',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ];
    expect(formSummary(applied)).toMatchObject({ health: 'ready', message: '2/2 nodes ready' });
    const invalid = form('bad', 'hub');
    invalid.status!.conditions = [
      {
        type: 'Valid',
        status: 'False',
        reason: 'ValidationFailed',
        message: 'cycle a → b → a',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ];
    expect(formSummary(invalid)).toMatchObject({
      health: 'failed',
      valid: false,
      message: 'cycle a → b → a',
    });
  });

  it('classifies nodes: ready, pending, skipped, failed', () => {
    expect(nodeSummary(node('n1', 'web', 'ready')).health).toBe('ready');
    expect(nodeSummary(node('n2', 'web', 'pending')).health).toBe('pending');
    const skipped = nodeSummary(node('n3', 'web', 'skipped'));
    expect(skipped.health).toBe('skipped');
    expect(skipped.resources.find((r) => r.id === 'app')?.state).toBe('skipped');
    expect(nodeSummary(node('n4', 'web', 'failed')).health).toBe('failed');
  });

  it('puts the current warning of a failed node in its message and on the failed resource', () => {
    const n = node('n4', 'web', 'failed');
    const old = event(
      'n4',
      'ApplyFailed',
      'Failed to apply resource app: old problem',
      '2026-01-01T00:00:00Z',
    );
    const current = event(
      'n4',
      'TemplateRenderError',
      'Failed to render resource creds: spec.stringData.password: function "nope" not defined',
      '2026-01-01T00:10:01Z',
    );
    const s = nodeSummary(n, [old, current]);
    expect(s.message).toContain('function "nope" not defined');
    expect(s.resources.find((r) => r.id === 'creds')).toMatchObject({ state: 'failed' });
    // An event from before the failure started does not mark its resource.
    expect(s.resources.find((r) => r.id === 'app')?.state).toBe('pending');
    expect(s.resources.find((r) => r.id === 'config')).toMatchObject({
      state: 'applied',
      name: 'n4-config',
    });
  });

  it('finds the resource id in the operator event messages', () => {
    expect(resourceIdOfEvent('Failed to apply resource app: boom')).toBe('app');
    expect(resourceIdOfEvent("Resource 'db' skipped because dependency 'x' failed.")).toBe('db');
    expect(resourceIdOfEvent('nothing here')).toBeUndefined();
  });

  it('counts an overview', () => {
    const nodes = [
      node('a', 'web', 'ready'),
      node('b', 'web', 'failed'),
      node('c', 'web', 'skipped'),
    ].map((n) => nodeSummary(n));
    const o = overviewOf([hubSummary(hub('h', true))], [formSummary(form('web', 'h'))], nodes, 2);
    expect(o.nodes).toEqual({ total: 3, ready: 1, failed: 1, pending: 0, skipped: 1 });
    expect(o.rollouts).toHaveLength(1);
    expect(o.orphans).toBe(2);
    expect(o.datasources[0]).toMatchObject({ hub: 'ns/h', healthy: true });
  });
});
