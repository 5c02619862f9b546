import { describe, expect, it } from 'vitest';
import { planColumns, unknownColumnError } from './column-plan.js';

describe('planColumns', () => {
  it('selects uid, activate, hostOrUrl, then extras sorted by variable', () => {
    const plan = planColumns(
      { uid: 'id', activate: 'on', hostOrUrl: 'url' },
      { zeta: 'z', alpha: 'a', planId: 'plan' },
    );
    expect(plan.columns).toEqual(['id', 'on', 'url', 'a', 'plan', 'z']);
    expect(plan.extras).toEqual([
      ['alpha', 3],
      ['planId', 4],
      ['zeta', 5],
    ]);
    expect(plan.hostOrUrlIndex).toBe(2);
  });
  it('reads a column used by several mappings once', () => {
    const plan = planColumns({ uid: 'id', activate: 'id' }, { name: 'id', other: 'x' });
    expect(plan.columns).toEqual(['id', 'x']);
    expect(plan.uidIndex).toBe(0);
    expect(plan.activateIndex).toBe(0);
    expect(plan.hostOrUrlIndex).toBeUndefined();
    expect(plan.fieldsOf('id')).toEqual([
      'spec.valueMappings.uid',
      'spec.valueMappings.activate',
      'spec.extraValueMappings.name',
    ]);
  });
  it('rejects empty column names', () => {
    expect(() => planColumns({ uid: '', activate: 'a' }, { v: '' })).toThrow(
      'spec.valueMappings.uid, spec.extraValueMappings.v: column name is empty',
    );
  });
  it('rejects column names that are not strings, naming the mapping', () => {
    expect(() => planColumns({ activate: 'a' } as never, { v: 5 as unknown as string })).toThrow(
      'spec.valueMappings.uid: column name must be a string, got nothing; spec.extraValueMappings.v: column name must be a string, got 5',
    );
  });
  it('refuses extraValueMappings that are not a map, and reads null as none', () => {
    for (const [extra, got] of [
      ['abc', '"abc" (a string)'],
      [['plan'], 'a list'],
      [5, '5'],
    ] as const) {
      expect(() => planColumns({ uid: 'id', activate: 'a' }, extra as never)).toThrow(
        `spec.extraValueMappings must be a map of variable names to column names, got ${got}`,
      );
    }
    expect(planColumns({ uid: 'id', activate: 'a' }, null as never).extras).toEqual([]);
  });
  it('names the column and the mapping in unknown-column errors', () => {
    const plan = planColumns({ uid: 'id', activate: 'on' }, { planId: 'plan', tier: 'Tier' });
    const err = unknownColumnError(plan, ['plan'], 'test.tenants');
    expect(err.code).toBe('UNKNOWN_COLUMN');
    expect(err.message).toBe(
      'column "plan" (spec.extraValueMappings.planId) does not exist in table test.tenants',
    );
    expect(err.fields).toEqual(['spec.extraValueMappings.planId']);
    const two = unknownColumnError(plan, ['plan', 'tier'], 't', {
      sameColumn: (a, b) => a.toLowerCase() === b.toLowerCase(),
    });
    expect(two.message).toBe(
      'column "plan" (spec.extraValueMappings.planId), column "tier" (spec.extraValueMappings.tier) do not exist in table t',
    );
  });
});
