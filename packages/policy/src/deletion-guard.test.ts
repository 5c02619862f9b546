import { describe, expect, it } from 'vitest';
import { checkDeletionGuard } from './deletion-guard.js';

function hub(
  generation: number,
  approve?: string,
  deletionGuard?: { maxDeletePercent?: number; minDeletions?: number },
) {
  return {
    metadata: {
      name: 'tenants',
      generation,
      ...(approve !== undefined ? { annotations: { 'lynq.sh/approve-deletions': approve } } : {}),
    },
    spec: deletionGuard ? { deletionGuard } : {},
  };
}

describe('checkDeletionGuard', () => {
  it.each([
    {
      name: 'nothing to delete',
      current: 20,
      deletions: 0,
      hub: hub(1),
      allowed: true,
      outcome: 'within-limits',
    },
    {
      name: '1 of 1 (100%, but not more than 10)',
      current: 1,
      deletions: 1,
      hub: hub(1),
      allowed: true,
      outcome: 'within-limits',
    },
    {
      name: '10 of 10 (exactly minDeletions)',
      current: 10,
      deletions: 10,
      hub: hub(1),
      allowed: true,
      outcome: 'within-limits',
    },
    {
      name: '11 of 20 (55%, 11 > 10)',
      current: 20,
      deletions: 11,
      hub: hub(1),
      allowed: false,
      outcome: 'held',
    },
    {
      name: '10 of 20 (exactly 50%)',
      current: 20,
      deletions: 10,
      hub: hub(1),
      allowed: true,
      outcome: 'within-limits',
    },
    {
      name: '11 of 22 (exactly 50%)',
      current: 22,
      deletions: 11,
      hub: hub(1),
      allowed: true,
      outcome: 'within-limits',
    },
    {
      name: '12 of 22 (54.5%)',
      current: 22,
      deletions: 12,
      hub: hub(1),
      allowed: false,
      outcome: 'held',
    },
    {
      name: '400 of 1000 (40%)',
      current: 1000,
      deletions: 400,
      hub: hub(1),
      allowed: true,
      outcome: 'within-limits',
    },
    {
      name: '11 of 20 approved for this generation',
      current: 20,
      deletions: 11,
      hub: hub(3, '3'),
      allowed: true,
      outcome: 'approved',
    },
    {
      name: '11 of 20 with a stale approval',
      current: 20,
      deletions: 11,
      hub: hub(4, '3'),
      allowed: false,
      outcome: 'held',
    },
    {
      name: 'garbage approval',
      current: 20,
      deletions: 11,
      hub: hub(4, 'yes'),
      allowed: false,
      outcome: 'held',
    },
    {
      name: 'custom limits: 3 of 10 with 20% / 2',
      current: 10,
      deletions: 3,
      hub: hub(1, undefined, { maxDeletePercent: 20, minDeletions: 2 }),
      allowed: false,
      outcome: 'held',
    },
    {
      name: 'custom limits: 100% never holds',
      current: 10,
      deletions: 10,
      hub: hub(1, undefined, { maxDeletePercent: 100, minDeletions: 0 }),
      allowed: true,
      outcome: 'within-limits',
    },
  ])('$name → $outcome', ({ current, deletions, hub: h, allowed, outcome }) => {
    const decision = checkDeletionGuard({ hub: h, currentNodes: current, deletions });
    expect({ allowed: decision.allowed, outcome: decision.outcome }).toEqual({ allowed, outcome });
  });

  it('holds any deletion when the source returned no rows, unless approved', () => {
    const held = checkDeletionGuard({
      hub: hub(3),
      currentNodes: 2,
      deletions: 2,
      sourceEmpty: true,
    });
    expect(held).toMatchObject({ allowed: false, outcome: 'held' });
    expect(held.reason).toMatch(
      /would delete 2 of 2 LynqNodes \(100%\), and the datasource returned no rows at all/,
    );
    expect(
      checkDeletionGuard({ hub: hub(3, '3'), currentNodes: 2, deletions: 2, sourceEmpty: true }),
    ).toMatchObject({ allowed: true, outcome: 'approved' });
    expect(
      checkDeletionGuard({ hub: hub(3), currentNodes: 2, deletions: 0, sourceEmpty: true }),
    ).toMatchObject({ allowed: true });
  });

  it('explains a hold and how to approve it', () => {
    expect(checkDeletionGuard({ hub: hub(7), currentNodes: 20, deletions: 11 }).reason).toBe(
      'deletions held: this sync would delete 11 of 20 LynqNodes (55%), more than 50% and more than 10; check the datasource, then set annotation lynq.sh/approve-deletions="7" on the LynqHub to allow them',
    );
    expect(
      checkDeletionGuard({ hub: hub(7, '6'), currentNodes: 20, deletions: 11 }).reason,
    ).toContain('(the annotation approves generation "6", but the hub is at generation 7)');
    expect(checkDeletionGuard({ hub: hub(7, '7'), currentNodes: 20, deletions: 11 }).reason).toBe(
      'this sync would delete 11 of 20 LynqNodes (55%), more than 50% and more than 10; approved by annotation lynq.sh/approve-deletions=7',
    );
  });
});
