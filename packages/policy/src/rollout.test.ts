import { describe, expect, it } from 'vitest';
import {
  computeFormRolloutStatus,
  formAppliedCondition,
  planFormRollout,
  rolloutNodeState,
  updatingReason,
  type NodeChange,
  type RolloutNodeState,
} from './rollout.js';

const now = new Date('2026-03-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

function node(name: string, over: Partial<RolloutNodeState> = {}): RolloutNodeState {
  return {
    name,
    templateGeneration: 2,
    ready: true,
    reconciled: true,
    updateStartedAt: ago(600),
    ...over,
  };
}

describe('rolloutNodeState', () => {
  it('reads annotations, the Ready condition and generations', () => {
    const state = rolloutNodeState(
      {
        metadata: {
          name: 'acme-web',
          generation: 3,
          annotations: {
            'lynq.sh/template-generation': '7',
            'lynq.sh/rollout-update-start': '2026-03-01T11:59:59Z',
          },
          creationTimestamp: '2026-01-01T00:00:00Z',
        },
        status: { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'True' }] },
      },
      false,
    );
    expect(state).toEqual({
      name: 'acme-web',
      templateGeneration: 7,
      ready: true,
      reconciled: true,
      updateStartedAt: new Date('2026-03-01T11:59:59Z'),
      workloadsReady: false,
    });
  });

  it('falls back to the creation time and treats missing data as not ready', () => {
    const state = rolloutNodeState({
      metadata: { name: 'n', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
    });
    expect(state).toMatchObject({
      templateGeneration: undefined,
      ready: false,
      reconciled: false,
      updateStartedAt: new Date('2026-01-01T00:00:00Z'),
    });
  });
});

describe('updatingReason (reference §3.6)', () => {
  it.each([
    { name: 'settled node', state: node('a'), expected: undefined },
    {
      name: 'older generation, not ready',
      state: node('a', { templateGeneration: 1, ready: false }),
      expected: undefined,
    },
    { name: '(a) not Ready', state: node('a', { ready: false }), expected: 'not Ready' },
    {
      name: '(b) not reconciled',
      state: node('a', { reconciled: false }),
      expected: 'spec change not reconciled yet',
    },
    {
      name: '(c) touched 1s ago',
      state: node('a', { updateStartedAt: ago(1) }),
      expected: 'updated less than 2s ago',
    },
    {
      name: '(c) touched 3s ago',
      state: node('a', { updateStartedAt: ago(3) }),
      expected: undefined,
    },
    {
      name: '(d) workloads rolling',
      state: node('a', { workloadsReady: false }),
      expected: 'workloads still rolling out',
    },
    {
      name: '(d) workloads unknown',
      state: node('a', { workloadsReady: undefined }),
      expected: undefined,
    },
  ])('$name → $expected', ({ state, expected }) => {
    expect(updatingReason(state, 2, now)).toBe(expected);
  });
});

describe('planFormRollout (maxSkew)', () => {
  const updates = (...names: string[]): NodeChange[] =>
    names.map((nodeName) => ({ nodeName, action: 'update' }));
  const base = { formName: 'web', formGeneration: 2, now };

  it('maxSkew 0 means no limit', () => {
    const plan = planFormRollout({
      ...base,
      maxSkew: 0,
      nodes: [node('a', { ready: false }), node('b', { ready: false })],
      changes: updates('c', 'd', 'e'),
    });
    expect(plan.allowed.map((c) => c.nodeName)).toEqual(['c', 'd', 'e']);
    expect(plan.throttled).toEqual([]);
    expect(plan.event).toBeUndefined();
  });

  it('maxSkew 1 with nothing updating lets exactly one change through', () => {
    const plan = planFormRollout({
      ...base,
      maxSkew: 1,
      nodes: [node('a', { templateGeneration: 1 }), node('b', { templateGeneration: 1 })],
      changes: updates('a', 'b'),
    });
    expect(plan.allowed.map((c) => c.nodeName)).toEqual(['a']);
    expect(plan.throttled.map((c) => c.nodeName)).toEqual(['b']);
    expect(plan.event).toEqual({
      reason: 'RolloutThrottled',
      message: "LynqForm 'web': 1 node updates throttled (maxSkew=1, currently updating=0)",
    });
  });

  it('maxSkew 1 with one node updating holds everything else', () => {
    const plan = planFormRollout({
      ...base,
      maxSkew: 1,
      nodes: [node('a', { ready: false }), node('b', { templateGeneration: 1 })],
      changes: [...updates('b'), { nodeName: 'new', action: 'create' }],
    });
    expect(plan.allowed).toEqual([]);
    expect(plan.updating).toEqual(['a']);
    expect(plan.event?.message).toBe(
      "LynqForm 'web': 2 node updates throttled (maxSkew=1, currently updating=1)",
    );
  });

  it('creates and updates share the slots', () => {
    const plan = planFormRollout({
      ...base,
      maxSkew: 2,
      nodes: [node('a', { ready: false })],
      changes: [{ nodeName: 'x', action: 'create' }, ...updates('b', 'c')],
    });
    expect(plan.allowed).toEqual([{ nodeName: 'x', action: 'create' }]);
    expect(plan.throttled.map((c) => c.nodeName)).toEqual(['b', 'c']);
  });

  it('a change to a node that is already updating takes no new slot', () => {
    const plan = planFormRollout({
      ...base,
      maxSkew: 1,
      nodes: [node('a', { ready: false }), node('b', { templateGeneration: 1 })],
      changes: updates('a', 'b'),
    });
    expect(plan.allowed.map((c) => c.nodeName)).toEqual(['a']);
    expect(plan.throttled.map((c) => c.nodeName)).toEqual(['b']);
  });

  it('forms are paced independently', () => {
    const formA = planFormRollout({
      ...base,
      formName: 'a',
      maxSkew: 1,
      nodes: [node('a1', { ready: false })],
      changes: updates('a2'),
    });
    const formB = planFormRollout({
      ...base,
      formName: 'b',
      maxSkew: 1,
      nodes: [node('b1', { templateGeneration: 1 })],
      changes: updates('b1', 'b2'),
    });
    expect(formA.allowed).toEqual([]);
    expect(formB.allowed.map((c) => c.nodeName)).toEqual(['b1']);
  });

  it('never lets more than maxSkew nodes update at once', () => {
    for (let maxSkew = 1; maxSkew <= 5; maxSkew++) {
      for (let busy = 0; busy <= 6; busy++) {
        const nodes = Array.from({ length: 10 }, (_, i) =>
          node(`n${i}`, i < busy ? { ready: false } : { templateGeneration: 1 }),
        );
        const plan = planFormRollout({
          ...base,
          maxSkew,
          nodes,
          changes: updates(...nodes.map((n) => n.name)),
        });
        const newlyUpdating = plan.allowed.filter(
          (c) => !plan.updating.includes(c.nodeName),
        ).length;
        expect(plan.updating.length + newlyUpdating).toBeLessThanOrEqual(Math.max(maxSkew, busy));
        expect(newlyUpdating).toBe(Math.max(0, maxSkew - busy));
      }
    }
  });
});

describe('computeFormRolloutStatus (reference §3.2)', () => {
  const rollout = { maxSkew: 1, progressDeadlineSeconds: 600 };
  const input = (nodes: RolloutNodeState[], previous?: Record<string, unknown>) => ({
    formGeneration: 2,
    rollout,
    previous,
    nodes,
    now,
  });

  it('no rollout status without maxSkew', () => {
    const result = computeFormRolloutStatus({
      ...input([node('a')]),
      rollout: { maxSkew: 0, progressDeadlineSeconds: 600 },
    });
    expect(result.rollout).toBeUndefined();
    expect(result.progressPercent).toBe(100);
  });

  it('Idle without nodes', () => {
    expect(computeFormRolloutStatus(input([])).rollout).toMatchObject({
      phase: 'Idle',
      totalNodes: 0,
      message: 'No nodes using this template',
    });
  });

  it('a node Ready from before its latest spec is still updating, so Complete waits for it', () => {
    const stale = computeFormRolloutStatus(input([node('a'), node('b', { reconciled: false })]));
    expect(stale.rollout).toMatchObject({
      phase: 'InProgress',
      updatingNodes: 1,
      readyUpdatedNodes: 1,
    });
    expect(stale.progressPercent).toBe(50);
  });

  it('Complete when every node is updated and ready; completionTime set once', () => {
    const first = computeFormRolloutStatus(input([node('a'), node('b')]));
    expect(first.rollout).toEqual({
      phase: 'Complete',
      targetGeneration: 2,
      totalNodes: 2,
      updatedNodes: 2,
      updatingNodes: 0,
      readyUpdatedNodes: 2,
      startTime: '2026-03-01T12:00:00Z',
      completionTime: '2026-03-01T12:00:00Z',
      message: 'All 2 nodes updated and ready',
    });
    const later = computeFormRolloutStatus({
      ...input([node('a'), node('b')], first.rollout),
      now: new Date('2026-03-01T13:00:00Z'),
    });
    expect(later.rollout?.completionTime).toBe('2026-03-01T12:00:00Z');
    expect(later.rollout?.startTime).toBe('2026-03-01T12:00:00Z');
  });

  it('Idle while no node has the new generation', () => {
    const result = computeFormRolloutStatus(
      input([node('a', { templateGeneration: 1 })], {
        phase: 'Complete',
        targetGeneration: 1,
        completionTime: 'x',
        startTime: 'y',
      }),
    );
    expect(result.rollout).toMatchObject({
      phase: 'Idle',
      message: 'Waiting for nodes to be updated',
      startTime: '2026-03-01T12:00:00Z',
    });
    expect(result.rollout?.completionTime).toBeUndefined();
  });

  it('InProgress with counts', () => {
    const result = computeFormRolloutStatus(
      input(
        [
          node('a'),
          node('b', { ready: false, updateStartedAt: ago(30) }),
          node('c', { templateGeneration: 1 }),
        ],
        {
          phase: 'InProgress',
          targetGeneration: 2,
          startTime: '2026-03-01T11:00:00Z',
        },
      ),
    );
    expect(result.rollout).toMatchObject({
      phase: 'InProgress',
      updatedNodes: 2,
      updatingNodes: 1,
      readyUpdatedNodes: 1,
      startTime: '2026-03-01T11:00:00Z',
      message: 'Updating: 2/3 nodes updated (1 updating, 1 ready)',
    });
    expect(result.progressPercent).toBeCloseTo(33.33, 1);
    expect(result.event).toBeUndefined();
  });

  it('Failed when updated nodes stay unready past progressDeadlineSeconds, naming them', () => {
    const nodes = [
      node('ok'),
      node('slow', { ready: false, updateStartedAt: ago(601) }),
      node('fresh', { ready: false, updateStartedAt: ago(599) }),
      node('also-slow', { ready: false, updateStartedAt: ago(3600) }),
    ];
    const result = computeFormRolloutStatus(
      input(nodes, { phase: 'InProgress', targetGeneration: 2 }),
    );
    expect(result.rollout?.phase).toBe('Failed');
    expect(result.stuckNodes).toEqual(['also-slow', 'slow']);
    expect(result.rollout?.message).toBe(
      'Rollout exceeded its progress deadline (600s): 2 updated nodes are still not ready: also-slow, slow',
    );
    expect(result.event).toEqual({ reason: 'RolloutFailed', message: result.rollout?.message });
    // Already Failed: no second event; recovers by itself once the nodes are ready.
    expect(computeFormRolloutStatus(input(nodes, result.rollout)).event).toBeUndefined();
    const recovered = computeFormRolloutStatus(
      input(
        nodes.map((n) => ({ ...n, ready: true })),
        result.rollout,
      ),
    );
    expect(recovered.rollout?.phase).toBe('Complete');
  });

  it('names at most ten stuck nodes', () => {
    const nodes = Array.from({ length: 12 }, (_, i) =>
      node(`n${String(i).padStart(2, '0')}`, { ready: false, updateStartedAt: ago(700) }),
    );
    expect(computeFormRolloutStatus(input(nodes)).rollout?.message).toContain(
      'n08, n09 and 2 more',
    );
  });

  it('a new generation resets startTime', () => {
    const result = computeFormRolloutStatus(
      input([node('a', { ready: false, updateStartedAt: ago(5) })], {
        targetGeneration: 1,
        startTime: '2020-01-01T00:00:00Z',
      }),
    );
    expect(result.rollout?.startTime).toBe('2026-03-01T12:00:00Z');
  });
});

describe('formAppliedCondition', () => {
  it.each([
    { total: 0, ready: 0, expected: { status: 'False', reason: 'NoNodes' } },
    {
      total: 3,
      ready: 3,
      expected: { status: 'True', reason: 'AllNodesReady', message: 'All 3 nodes ready' },
    },
    {
      total: 3,
      ready: 1,
      expected: { status: 'False', reason: 'NotAllNodesReady', message: '1/3 nodes ready' },
    },
  ])('$ready/$total', ({ total, ready, expected }) => {
    expect(formAppliedCondition(total, ready)).toMatchObject({ type: 'Applied', ...expected });
  });
});
