import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGraph } from './build-graph.js';
import type { GraphInput } from './resource-graph.js';

/** Random DAGs: resource i may only depend on resources with a smaller index, then shuffled. */
const dag = fc
  .integer({ min: 1, max: 30 })
  .chain((n) =>
    fc.tuple(
      fc.tuple(
        ...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j))),
      ),
      fc.func(fc.integer()),
    ),
  )
  .map(([deps, rank]) => {
    const resources: GraphInput[] = deps.map((d, i) => ({
      id: `r${i}`,
      dependIds: d.map((j) => `r${j}`),
    }));
    return resources.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
  });

/** Random graphs with at least one cycle: a DAG plus a back edge from an early node to a later one. */
const cyclic = fc
  .integer({ min: 1, max: 20 })
  .chain((n) =>
    fc.tuple(
      fc.tuple(
        ...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j))),
      ),
      fc.integer({ min: 0, max: n - 1 }),
      fc.integer({ min: 0, max: n - 1 }),
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 5 }),
    ),
  )
  .map(([deps, x, y, extra]) => {
    const lo = Math.min(x, y);
    const hi = Math.max(x, y);
    const dependIds = deps.map((d) => d.map((j) => `r${j}`));
    // Close a cycle: a path lo <- ... <- hi made explicit, then lo depends on hi.
    for (let i = lo + 1; i <= hi; i++) dependIds[i]?.push(`r${i - 1}`);
    dependIds[lo]?.push(`r${hi}`);
    for (const [from, to] of extra) dependIds[from]?.push(`r${to}`);
    return dependIds.map((d, i) => ({ id: `r${i}`, dependIds: d }));
  });

describe('buildGraph properties', () => {
  it('for random DAGs every edge goes from a lower to a higher level, and levels are tight', () => {
    fc.assert(
      fc.property(dag, (resources) => {
        const result = buildGraph(resources);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const g = result.graph;
        expect(g.order.length).toBe(resources.length);
        for (const r of resources) {
          const deps = r.dependIds ?? [];
          for (const dep of deps) expect(g.levelOf(dep)).toBeLessThan(g.levelOf(r.id));
          const expected = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => g.levelOf(d)));
          expect(g.levelOf(r.id)).toBe(expected);
          for (const dependent of g.dependentsOf(r.id))
            expect(g.levelOf(dependent)).toBeGreaterThan(g.levelOf(r.id));
        }
        for (const level of g.levels) expect([...level].sort()).toEqual(level);
      }),
      { numRuns: 300 },
    );
  });

  it('for random graphs with a cycle every reported path is a real cycle', () => {
    fc.assert(
      fc.property(cyclic, (resources) => {
        const result = buildGraph(resources);
        expect(result.ok).toBe(false);
        const cycles = result.errors.filter(
          (e) => e.code === 'Cycle' || e.code === 'SelfReference',
        );
        expect(cycles.length).toBeGreaterThan(0);
        const depends = new Map(resources.map((r) => [r.id, new Set(r.dependIds)]));
        for (const error of cycles) {
          const path = error.cycle ?? [];
          expect(path.length).toBeGreaterThanOrEqual(2);
          expect(path[0]).toBe(path[path.length - 1]);
          expect(new Set(path.slice(0, -1)).size).toBe(path.length - 1);
          for (let i = 0; i + 1 < path.length; i++) {
            expect(depends.get(path[i] ?? '')?.has(path[i + 1] ?? '')).toBe(true);
          }
          expect(error.message).toBe(`circular dependency detected: ${path.join(' -> ')}`);
          expect(resources[error.index]?.dependIds?.[error.dependencyIndex ?? -1]).toBe(path[1]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
