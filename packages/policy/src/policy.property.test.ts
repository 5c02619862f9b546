import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDeletionGuard } from './deletion-guard.js';
import { applyIgnoreFields } from './ignore-fields.js';
import { planFormRollout, type RolloutNodeState } from './rollout.js';

const key = fc.constantFrom('a', 'b', 'c');
const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.boolean());
const doc = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.dictionary(key, tie('value'), { maxKeys: 3 })),
})).value;
const root = fc.dictionary(key, doc, { maxKeys: 3 });

function get(obj: unknown, path: readonly string[]): unknown {
  let at = obj;
  for (const k of path) {
    if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[k];
  }
  return at;
}

describe('applyIgnoreFields properties', () => {
  it('a simple path ends up as it is live (or absent), everything else stays desired, and it is idempotent', () => {
    fc.assert(
      fc.property(
        root,
        root,
        fc.array(key, { minLength: 1, maxLength: 3 }),
        (desired, live, path) => {
          const jsonPath = `$.${path.join('.')}`;
          const { object } = applyIgnoreFields(desired, live, [jsonPath]);
          const liveValue = get(live, path);
          const parentInDesired = get(desired, path.slice(0, -1));
          const parentIsObject =
            path.length === 1 || (typeof parentInDesired === 'object' && parentInDesired !== null);
          if (liveValue === undefined) expect(get(object, path)).toBeUndefined();
          else if (parentIsObject || get(desired, path.slice(0, 1)) === undefined)
            expect(get(object, path)).toEqual(liveValue);
          for (const k of Object.keys(desired))
            if (k !== path[0]) expect((object as Record<string, unknown>)[k]).toEqual(desired[k]);
          expect(applyIgnoreFields(object, live, [jsonPath]).object).toEqual(object);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('checkDeletionGuard properties', () => {
  const limits = fc.record({
    maxDeletePercent: fc.integer({ min: 0, max: 100 }),
    minDeletions: fc.integer({ min: 0, max: 50 }),
  });
  const counts = fc
    .integer({ min: 0, max: 500 })
    .chain((current) => fc.tuple(fc.constant(current), fc.integer({ min: 0, max: current })));

  it('holds exactly when over both limits, monotonically, unless the current generation is approved', () => {
    fc.assert(
      fc.property(
        limits,
        counts,
        fc.integer({ min: 1, max: 9 }),
        (deletionGuard, [current, deletions], generation) => {
          const hub = { metadata: { generation }, spec: { deletionGuard } };
          const decision = checkDeletionGuard({ hub, currentNodes: current, deletions });
          const over =
            deletions * 100 > current * deletionGuard.maxDeletePercent &&
            deletions > deletionGuard.minDeletions;
          expect(decision.allowed).toBe(!over);
          if (over && deletions < current)
            expect(
              checkDeletionGuard({ hub, currentNodes: current, deletions: deletions + 1 }).allowed,
            ).toBe(false);
          const approved = {
            ...hub,
            metadata: {
              generation,
              annotations: { 'lynq.sh/approve-deletions': String(generation) },
            },
          };
          expect(
            checkDeletionGuard({ hub: approved, currentNodes: current, deletions }).allowed,
          ).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('planFormRollout properties', () => {
  it('keeps every change exactly once, in order, and never exceeds maxSkew new slots', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.record({ ready: fc.boolean(), current: fc.boolean() }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 12 }),
        (maxSkew, flags, changeIndexes) => {
          const nodes: RolloutNodeState[] = flags.map((f, i) => ({
            name: `n${i}`,
            templateGeneration: f.current ? 2 : 1,
            ready: f.ready,
            reconciled: true,
            updateStartedAt: undefined,
          }));
          const changes = [...new Set(changeIndexes)].map((i) => ({
            nodeName: `n${i}`,
            action: 'update' as const,
          }));
          const plan = planFormRollout({
            formName: 'f',
            formGeneration: 2,
            maxSkew,
            nodes,
            changes,
            now,
          });
          const kept = [...plan.allowed, ...plan.throttled].map((c) => c.nodeName).sort();
          expect(kept).toEqual(changes.map((c) => c.nodeName).sort());
          const fresh = plan.allowed.filter((c) => !plan.updating.includes(c.nodeName)).length;
          if (maxSkew === 0) expect(plan.throttled).toEqual([]);
          else
            expect(plan.updating.length + fresh).toBeLessThanOrEqual(
              Math.max(maxSkew, plan.updating.length),
            );
        },
      ),
      { numRuns: 300 },
    );
  });
});
