import { Graph } from '@dagrejs/graphlib';
import { GraphError } from './graph-error.js';
import { longestPathLevels, stronglyConnected } from './iterative.js';
import { ResourceGraph, type GraphInput } from './resource-graph.js';

export type BuildGraphResult<R extends GraphInput> =
  | { ok: true; graph: ResourceGraph<R>; errors: readonly [] }
  | { ok: false; errors: readonly GraphError[] };

/**
 * Validates the dependencies of a list of resources and, when they are sound, returns the graph
 * with its topological levels. Reports every problem, not only the first: empty and duplicate
 * ids, dependencies on unknown ids, self-references, and one cycle (with its full path) per
 * strongly connected group of resources. With duplicate ids the first resource wins.
 */
export function buildGraph<R extends GraphInput>(resources: readonly R[]): BuildGraphResult<R> {
  const errors: GraphError[] = [];
  const graph = new Graph({ directed: true });
  const byId = new Map<string, R>();
  const indexById = new Map<string, number>();

  resources.forEach((resource, index) => {
    const { id } = resource;
    if (id === '') {
      errors.push(new GraphError({ code: 'EmptyId', resourceId: id, index }));
      return;
    }
    const firstIndex = indexById.get(id);
    if (firstIndex !== undefined) {
      errors.push(new GraphError({ code: 'DuplicateId', resourceId: id, index, firstIndex }));
      return;
    }
    indexById.set(id, index);
    graph.setNode(id);
    byId.set(id, resource);
  });

  for (const [id, index] of indexById) {
    const dependIds = resourceAt(resources, index).dependIds ?? [];
    dependIds.forEach((dep, dependencyIndex) => {
      if (dep === id) {
        errors.push(
          new GraphError({
            code: 'SelfReference',
            resourceId: id,
            index,
            dependencyId: dep,
            dependencyIndex,
            cycle: [id, id],
          }),
        );
      } else if (!graph.hasNode(dep)) {
        errors.push(
          new GraphError({
            code: 'UnknownDependency',
            resourceId: id,
            index,
            dependencyId: dep,
            dependencyIndex,
          }),
        );
      } else {
        graph.setEdge(dep, id);
      }
    });
  }

  errors.push(...findCycles(graph, resources, indexById));
  if (errors.length > 0) return { ok: false, errors };

  const levelById = longestPathLevels(graph);
  const levels: string[][] = [];
  for (const [id, level] of levelById) (levels[level] ??= []).push(id);
  for (const level of levels) level.sort();
  return { ok: true, graph: new ResourceGraph(graph, byId, levels, levelById), errors: [] };
}

function resourceAt<R>(resources: readonly R[], index: number): R {
  const resource = resources[index];
  if (resource === undefined) throw new RangeError(`no resource at index ${index}`);
  return resource;
}

/**
 * One cycle per strongly connected component (self-references are reported separately). The
 * cycle starts at the component's first resource in input order and is the shortest one through
 * it, following `dependIds` in the order they are written, so messages are stable.
 */
function findCycles<R extends GraphInput>(
  graph: Graph,
  resources: readonly R[],
  indexById: ReadonlyMap<string, number>,
): GraphError[] {
  const out: GraphError[] = [];
  const indexOf = (id: string): number => indexById.get(id) ?? -1;
  const components = stronglyConnected(graph)
    .filter((c) => c.length > 1)
    .map((c) => [...c].sort((a, b) => indexOf(a) - indexOf(b)));
  components.sort((a, b) => indexOf(a[0] ?? '') - indexOf(b[0] ?? ''));

  for (const component of components) {
    const start = component[0];
    if (start === undefined) continue;
    const members = new Set(component);
    const dependIdsOf = (id: string) => resourceAt(resources, indexOf(id)).dependIds ?? [];
    const parent = new Map<string, string>([[start, start]]);
    const queue = [start];
    let cycle: string[] | undefined;
    search: for (let head = 0; head < queue.length; head++) {
      const current = queue[head] as string;
      for (const dep of dependIdsOf(current)) {
        if (!members.has(dep)) continue;
        if (dep === start) {
          cycle = [start];
          for (let at = current; at !== start; at = parent.get(at) as string)
            cycle.splice(1, 0, at);
          cycle.push(start);
          break search;
        }
        if (!parent.has(dep)) {
          parent.set(dep, current);
          queue.push(dep);
        }
      }
    }
    // A strongly connected component always has a cycle through each member.
    if (cycle === undefined)
      throw new Error(`internal: no cycle through ${start} in its component`);
    const next = cycle[1] as string;
    out.push(
      new GraphError({
        code: 'Cycle',
        resourceId: start,
        index: indexOf(start),
        dependencyId: next,
        dependencyIndex: dependIdsOf(start).indexOf(next),
        cycle,
      }),
    );
  }
  return out;
}
