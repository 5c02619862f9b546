import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalStatus } from './equal-status.js';

const cond = (type: string, status = 'True', t = '2026-07-01T12:00:00Z') => ({
  type,
  status,
  reason: 'R',
  message: '',
  lastTransitionTime: t,
});

describe('equalStatus', () => {
  it('ignores the order of sets, not their content', () => {
    const a = {
      ready: 1,
      conditions: [cond('Ready'), cond('Degraded', 'False')],
      appliedResources: ['A/x@1', 'B/y@2'],
      skippedResourceIds: ['a', 'b'],
    };
    const b = {
      conditions: [cond('Degraded', 'False'), cond('Ready')],
      ready: 1,
      appliedResources: ['B/y@2', 'A/x@1'],
      skippedResourceIds: ['b', 'a'],
    };
    expect(equalStatus(a, b)).toBe(true);
    expect(equalStatus(a, { ...b, ready: 2 })).toBe(false);
    expect(
      equalStatus(a, {
        ...b,
        conditions: [cond('Degraded', 'False'), cond('Ready', 'True', 'later')],
      }),
    ).toBe(false);
    expect(equalStatus(a, { ...b, appliedResources: ['A/x@1'] })).toBe(false);
  });

  it('keeps order where the API has one, and treats absent as undefined but not as 0', () => {
    expect(
      equalStatus(
        { rollout: { message: 'x' } },
        { rollout: { message: 'x', startTime: undefined } },
      ),
    ).toBe(true);
    expect(equalStatus({ failed: 0 }, {})).toBe(false);
    expect(equalStatus(undefined, {})).toBe(true);
  });

  it('is reflexive and order-insensitive for random statuses', () => {
    const status = fc.record({
      ready: fc.nat(),
      conditions: fc.uniqueArray(
        fc.constantFrom('Ready', 'Degraded', 'Valid').map((t) => cond(t)),
        { selector: (c) => c.type },
      ),
      appliedResources: fc.uniqueArray(fc.string()),
    });
    fc.assert(
      fc.property(status, fc.integer(), (s, seed) => {
        const shuffled = {
          ...s,
          conditions: fc.sample(
            fc.shuffledSubarray(s.conditions, { minLength: s.conditions.length }),
            { seed, numRuns: 1 },
          )[0],
          appliedResources: [...s.appliedResources].reverse(),
        };
        expect(equalStatus(s, structuredClone(s))).toBe(true);
        expect(equalStatus(s, shuffled)).toBe(true);
      }),
    );
  });
});
