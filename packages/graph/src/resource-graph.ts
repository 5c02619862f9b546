import type { Graph } from '@dagrejs/graphlib';
import { GraphError } from './graph-error.js';

/** What the graph needs of a resource: its id and the ids it depends on. */
export interface GraphInput {
  id: string;
  dependIds?: readonly string[] | undefined;
}

/**
 * A validated, acyclic dependency graph. Built once per form generation (see buildGraph) and
 * read by every node of that form. Edges run from a dependency to its dependents.
 */
export class ResourceGraph<R extends GraphInput = GraphInput> {
  /** Ids in level order, each level sorted: a valid sequential apply order. */
  readonly order: readonly string[];

  constructor(
    private readonly graph: Graph,
    private readonly resources: ReadonlyMap<string, R>,
    /**
     * Groups of ids that may be applied in parallel. Level 0 has no dependencies; a resource's
     * level is 1 + the highest level of its dependencies. Each level is sorted by id.
     */
    readonly levels: readonly (readonly string[])[],
    private readonly levelById: ReadonlyMap<string, number>,
  ) {
    this.order = levels.flat();
  }

  get size(): number {
    return this.order.length;
  }

  has(id: string): boolean {
    return this.levelById.has(id);
  }

  /** The resource object given to buildGraph for this id. */
  resource(id: string): R {
    const resource = this.resources.get(id);
    if (resource === undefined) throw notInGraph(id);
    return resource;
  }

  levelOf(id: string): number {
    const level = this.levelById.get(id);
    if (level === undefined) throw notInGraph(id);
    return level;
  }

  /** Direct dependencies, sorted by id. */
  dependenciesOf(id: string): string[] {
    this.assertKnown(id);
    return [...(this.graph.predecessors(id) ?? [])].sort();
  }

  /** Direct dependents, sorted by id. */
  directDependentsOf(id: string): string[] {
    this.assertKnown(id);
    return [...(this.graph.successors(id) ?? [])].sort();
  }

  /**
   * Every resource that depends on `id`, directly or through others, in apply order. Used to skip
   * or block everything downstream of a failed or unready resource.
   */
  dependentsOf(id: string): string[] {
    this.assertKnown(id);
    const seen = new Set<string>();
    const stack = [id];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      for (const s of this.graph.successors(next) ?? []) {
        if (!seen.has(s)) {
          seen.add(s);
          stack.push(s);
        }
      }
    }
    return this.order.filter((x) => seen.has(x));
  }

  private assertKnown(id: string): void {
    if (!this.levelById.has(id)) throw notInGraph(id);
  }
}

function notInGraph(id: string): GraphError {
  return new GraphError({ code: 'NotInGraph', resourceId: id, index: -1 });
}
