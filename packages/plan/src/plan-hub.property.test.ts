import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDns1123Subdomain } from './node-name.js';
import type { PlanRow } from './rows.js';
import { LATER, form, hub, plan, row, stored } from './testdata/fixtures.js';

const h = hub();
const forms = [form('web'), form('api')];

const uid = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'a-b', 'Acme', 'x.y'),
  fc.string({ unit: fc.constantFrom('a', 'B', '-', '_', ' ', '1'), minLength: 1, maxLength: 8 }),
);
const rowArb = fc.record({
  uid,
  activate: fc.constantFrom('1', '0', 'true', 'no', ''),
  plan: fc.constantFrom('1', '2', '3'),
});
const rowsArb = fc
  .uniqueArray(rowArb, { selector: (r) => r.uid, maxLength: 12 })
  .map((list) => list.map((r): PlanRow => row(r.uid, { plan: r.plan }, r.activate)));

const ok = (rows: readonly PlanRow[]) => ({ ok: true as const, rows, problems: [] });

function converge(rows: readonly PlanRow[]) {
  return plan({ hub: h, forms, fetch: ok(rows), existing: [] }).create.map((n) => stored(n));
}

describe('planHub properties', () => {
  it('a second sync of the same rows changes nothing', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const existing = converge(rows);
        const again = plan({ hub: h, forms, fetch: ok(rows), existing, now: LATER });
        expect(again.create).toEqual([]);
        expect(again.update).toEqual([]);
        expect(again.delete).toEqual([]);
        expect(again.held).toEqual([]);
      }),
    );
  });

  it('creates one validly named node per form × active row, names unique', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const p = plan({ hub: h, forms, fetch: ok(rows), existing: [] });
        const names = p.create.map((n) => n.metadata.name);
        expect(p.create).toHaveLength(rows.filter((r) => r.active).length * forms.length);
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) expect(isDns1123Subdomain(name)).toBe(true);
      }),
    );
  });

  it('does not depend on the order of rows, forms or nodes', () => {
    fc.assert(
      fc.property(rowsArb, rowsArb, fc.integer(), (before, after, seed) => {
        const existing = converge(before);
        const shuffle = <T>(list: readonly T[]) =>
          fc.sample(fc.shuffledSubarray([...list], { minLength: list.length }), {
            seed,
            numRuns: 1,
          })[0]!;
        const a = plan({ hub: h, forms, fetch: ok(after), existing, now: LATER });
        const b = plan({
          hub: h,
          forms: shuffle(forms),
          fetch: ok(shuffle(after)),
          existing: shuffle(existing),
          now: LATER,
        });
        expect(b).toEqual(a);
      }),
    );
  });

  it('deletes exactly the nodes no active row and form stands for, and none after a failed fetch', () => {
    fc.assert(
      fc.property(rowsArb, rowsArb, (before, after) => {
        const existing = converge(before);
        const p = plan({ hub: h, forms, fetch: ok(after), existing, now: LATER });
        const active = new Set(after.filter((r) => r.active).map((r) => r.uid));
        const gone = existing.filter((n) => !active.has(n.spec!.uid)).map((n) => n.metadata.name);
        expect([...p.delete, ...p.held.map((x) => x.deletion)].map((d) => d.name).sort()).toEqual(
          gone.sort(),
        );
        const failed = plan({
          hub: h,
          forms,
          fetch: { ok: false, error: { message: 'down' } },
          existing,
          now: LATER,
        });
        expect([failed.create, failed.update, failed.delete, failed.held]).toEqual([
          [],
          [],
          [],
          [],
        ]);
      }),
    );
  });

  it('never touches the nodes of a uid the fetch reported as a problem', () => {
    fc.assert(
      fc.property(rowsArb, rowsArb, (before, after) => {
        fc.pre(before.length > 0);
        const existing = converge(before);
        const victim = before[0]!.uid;
        const p = plan({
          hub: h,
          forms,
          fetch: {
            ok: true,
            rows: after.filter((r) => r.uid !== victim),
            problems: [{ uid: victim, code: 'DUPLICATE_UID' }],
          },
          existing,
          now: LATER,
        });
        const touched = [
          ...p.delete.map((d) => d.rowUid),
          ...p.held.map((x) => x.deletion.rowUid),
          ...p.update.map((u) => u.node.spec.uid),
          ...p.create.map((n) => n.spec.uid),
        ];
        expect(touched).not.toContain(victim);
      }),
    );
  });
});
