import { describe, expect, it } from 'vitest';
import { decideDependencyGate } from './dependency-gate.js';
import type { ResourceOutcome } from './node-status.js';

const outcomes = new Map<string, ResourceOutcome>([
  ['ok', 'ready'],
  ['slow', 'waiting'],
  ['bad', 'failed'],
  ['clash', 'conflicted'],
  ['skipped', 'skipped'],
]);

describe('decideDependencyGate', () => {
  it.each([
    { name: 'no dependencies', dependIds: undefined, skip: undefined, action: 'proceed' },
    { name: 'all dependencies ready', dependIds: ['ok'], skip: undefined, action: 'proceed' },
    { name: 'a dependency waiting', dependIds: ['ok', 'slow'], skip: undefined, action: 'block' },
    { name: 'a dependency not decided yet', dependIds: ['later'], skip: true, action: 'block' },
    {
      name: 'a failed dependency, skip default (nil = true)',
      dependIds: ['bad'],
      skip: undefined,
      action: 'skip',
    },
    { name: 'a conflicted dependency', dependIds: ['clash'], skip: true, action: 'skip' },
    { name: 'a skipped dependency cascades', dependIds: ['skipped'], skip: true, action: 'skip' },
    { name: 'failure wins over waiting', dependIds: ['slow', 'bad'], skip: true, action: 'skip' },
    {
      name: 'failed, skip false',
      dependIds: ['ok', 'bad'],
      skip: false,
      action: 'proceed-despite-failure',
    },
    {
      name: 'failed, skip false, another waiting',
      dependIds: ['bad', 'slow'],
      skip: false,
      action: 'block',
    },
  ])('$name → $action', ({ dependIds, skip, action }) => {
    expect(
      decideDependencyGate({
        resourceId: 'app',
        dependIds,
        skipOnDependencyFailure: skip,
        outcomes,
      }).action,
    ).toBe(action);
  });

  it('carries Lynq’s event texts', () => {
    expect(
      decideDependencyGate({
        resourceId: 'app',
        dependIds: ['bad'],
        skipOnDependencyFailure: true,
        outcomes,
      }),
    ).toEqual({
      action: 'skip',
      failedDependency: 'bad',
      event: {
        type: 'Warning',
        reason: 'DependencySkipped',
        message:
          "Resource 'app' skipped because dependency 'bad' failed. Set skipOnDependencyFailure=false to create anyway.",
      },
    });
    expect(
      decideDependencyGate({
        resourceId: 'app',
        dependIds: ['bad'],
        skipOnDependencyFailure: false,
        outcomes,
      }),
    ).toMatchObject({ event: { reason: 'DependencyFailedButProceeding' } });
    expect(
      decideDependencyGate({
        resourceId: 'app',
        dependIds: ['slow', 'later'],
        skipOnDependencyFailure: true,
        outcomes,
      }),
    ).toEqual({ action: 'block', waitingFor: ['slow', 'later'] });
  });
});
