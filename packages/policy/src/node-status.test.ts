import type { Condition } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { setConditions } from './conditions.js';
import { aggregateNodeStatus, nodeErrorConditions, type ResourceOutcome } from './node-status.js';

const now = new Date('2026-05-05T10:00:00Z');
const later = new Date('2026-05-05T10:05:00Z');

function results(...outcomes: ResourceOutcome[]) {
  return outcomes.map((outcome, i) => ({ id: `r${i}`, outcome }));
}

function byType(conditions: readonly Condition[]) {
  return Object.fromEntries(
    conditions.map((c) => [c.type, { status: c.status, reason: c.reason, message: c.message }]),
  );
}

describe('aggregateNodeStatus', () => {
  it.each([
    {
      name: 'all ready',
      outcomes: ['ready', 'ready'] as ResourceOutcome[],
      counts: [2, 2, 0, 0, 0],
      ready: ['True', 'Reconciled', 'All 2 resources are ready'],
      degraded: ['False', 'Healthy'],
      progressing: ['False', 'ReconcileComplete'],
      conflicted: ['False', 'NoConflict'],
    },
    {
      name: 'waiting for readiness',
      outcomes: ['ready', 'waiting', 'waiting'] as ResourceOutcome[],
      counts: [3, 1, 0, 0, 0],
      ready: ['False', 'NotAllResourcesReady', 'Not all resources are ready: 1/3 ready'],
      degraded: ['True', 'ResourcesNotReady'],
      progressing: ['True', 'Reconciling'],
      conflicted: ['False', 'NoConflict'],
    },
    {
      name: 'a failure and its skipped dependent',
      outcomes: ['ready', 'failed', 'skipped'] as ResourceOutcome[],
      counts: [3, 1, 1, 0, 1],
      ready: ['False', 'ResourcesFailed', '1 resources failed'],
      degraded: ['True', 'ResourceFailures', 'LynqNode has 1 failed resources'],
      progressing: ['False', 'ReconcileComplete'],
      conflicted: ['False', 'NoConflict'],
    },
    {
      name: 'a conflict counts as conflicted and failed',
      outcomes: ['ready', 'conflicted'] as ResourceOutcome[],
      counts: [2, 1, 1, 1, 0],
      ready: ['False', 'ResourcesConflicted', '1 resources are in conflict'],
      degraded: ['True', 'ResourceConflicts'],
      progressing: ['False', 'ReconcileComplete'],
      conflicted: ['True', 'ResourceConflict', '1 resources are in conflict'],
    },
    {
      name: 'failures and conflicts',
      outcomes: ['failed', 'conflicted', 'conflicted', 'waiting'] as ResourceOutcome[],
      counts: [4, 0, 3, 2, 0],
      ready: [
        'False',
        'ResourcesFailedAndConflicted',
        '1 resources failed and 2 resources are in conflict',
      ],
      degraded: ['True', 'ResourceFailuresAndConflicts'],
      progressing: ['True', 'Reconciling'],
      conflicted: ['True', 'ResourceConflict'],
    },
    {
      name: 'no resources',
      outcomes: [] as ResourceOutcome[],
      counts: [0, 0, 0, 0, 0],
      ready: ['True', 'Reconciled'],
      degraded: ['False', 'Healthy'],
      progressing: ['False', 'ReconcileComplete'],
      conflicted: ['False', 'NoConflict'],
    },
  ])('$name', ({ outcomes, counts, ready, degraded, progressing, conflicted }) => {
    const s = aggregateNodeStatus({ results: results(...outcomes), previous: undefined, now });
    expect([
      s.desiredResources,
      s.readyResources,
      s.failedResources,
      s.conflictedResources,
      s.skippedResources,
    ]).toEqual(counts);
    const c = byType(s.conditions);
    const check = (got: Record<string, unknown> | undefined, [status, reason, message]: string[]) =>
      expect(got).toMatchObject({ status, reason, ...(message ? { message } : {}) });
    check(c.Ready, ready);
    check(c.Degraded, degraded);
    check(c.Progressing, progressing);
    check(c.Conflicted, conflicted);
    expect(s.conditions.map((x) => x.type)).toEqual([
      'Ready',
      'Progressing',
      'Conflicted',
      'Degraded',
    ]);
    expect(s.degradedReason).toBe(degraded[0] === 'True' ? degraded[1] : undefined);
  });

  it('lists skipped ids and records the generation', () => {
    const s = aggregateNodeStatus({
      results: results('failed', 'skipped', 'skipped'),
      previous: undefined,
      generation: 9,
      now,
    });
    expect(s.skippedResourceIds).toEqual(['r1', 'r2']);
    expect(s.conditions.every((c) => c.observedGeneration === 9)).toBe(true);
  });

  it('keeps lastTransitionTime when nothing changed and moves it when something did', () => {
    const first = aggregateNodeStatus({
      results: results('ready', 'waiting'),
      previous: undefined,
      now,
    });
    expect(first.conditions.every((c) => c.lastTransitionTime === '2026-05-05T10:00:00Z')).toBe(
      true,
    );
    const same = aggregateNodeStatus({
      results: results('ready', 'waiting'),
      previous: first.conditions,
      now: later,
    });
    expect(same.conditions).toEqual(first.conditions);
    const progressed = aggregateNodeStatus({
      results: results('ready', 'ready'),
      previous: first.conditions,
      now: later,
    });
    const times = Object.fromEntries(
      progressed.conditions.map((c) => [c.type, c.lastTransitionTime]),
    );
    expect(times).toEqual({
      Ready: '2026-05-05T10:05:00Z',
      Progressing: '2026-05-05T10:05:00Z',
      Conflicted: '2026-05-05T10:00:00Z',
      Degraded: '2026-05-05T10:05:00Z',
    });
  });
});

describe('nodeErrorConditions', () => {
  it.each([
    {
      kind: 'VariablesBuildError' as const,
      ready: 'VariablesBuildError',
      degraded: 'VariablesBuildError',
    },
    { kind: 'DependencyError' as const, ready: 'DependencyError', degraded: 'DependencyCycle' },
    { kind: 'SortError' as const, ready: 'SortError', degraded: 'DependencyCycle' },
  ])('$kind', ({ kind, ready, degraded }) => {
    const previous: Condition[] = [
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ReconcileComplete',
        lastTransitionTime: '2020-01-01T00:00:00Z',
      },
    ];
    const conditions = nodeErrorConditions({ kind, message: 'boom', previous, now });
    expect(byType(conditions)).toEqual({
      Progressing: { status: 'False', reason: 'ReconcileComplete', message: undefined },
      Ready: { status: 'False', reason: ready, message: 'boom' },
      Degraded: { status: 'True', reason: degraded, message: 'boom' },
    });
  });
});

describe('setConditions', () => {
  it('replaces by type, keeps other conditions, and dates changes', () => {
    const existing: Condition[] = [
      { type: 'Custom', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' },
      {
        type: 'Ready',
        status: 'True',
        reason: 'Reconciled',
        message: 'ok',
        lastTransitionTime: '2020-01-01T00:00:00Z',
      },
    ];
    const out = setConditions(
      existing,
      [{ type: 'Ready', status: 'True', reason: 'Reconciled', message: 'changed' }],
      now,
    );
    expect(out).toEqual([
      existing[0],
      {
        type: 'Ready',
        status: 'True',
        reason: 'Reconciled',
        message: 'changed',
        lastTransitionTime: '2026-05-05T10:00:00Z',
      },
    ]);
    expect(existing[1]?.message).toBe('ok');
  });
});
