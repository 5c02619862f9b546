/** What is wrong with a resource graph (reference §6). */
export type GraphErrorCode =
  'EmptyId' | 'DuplicateId' | 'UnknownDependency' | 'SelfReference' | 'Cycle' | 'NotInGraph';

export interface GraphErrorDetails {
  code: GraphErrorCode;
  /** The resource the problem belongs to ('' for an empty id). */
  resourceId: string;
  /** Position of that resource in the input list (-1 when it is not part of the input). */
  index: number;
  /** The dependency involved: the unknown one, or the next step of the cycle. */
  dependencyId?: string;
  /** Position of `dependencyId` in the resource's `dependIds`. */
  dependencyIndex?: number;
  /** For cycles: the closed path in "depends on" order, first id repeated last (`a, b, a`). */
  cycle?: readonly string[];
  /** For duplicates: the input position of the first resource with this id. */
  firstIndex?: number;
}

/**
 * One problem found while building a dependency graph. Messages are Lynq's (reference §6), so
 * status conditions and events read the same as the Go operator's.
 */
export class GraphError extends Error implements GraphErrorDetails {
  override readonly name = 'GraphError';
  readonly code: GraphErrorCode;
  readonly resourceId: string;
  readonly index: number;
  readonly dependencyId?: string;
  readonly dependencyIndex?: number;
  readonly cycle?: readonly string[];
  readonly firstIndex?: number;

  constructor(details: GraphErrorDetails) {
    super(messageFor(details));
    this.code = details.code;
    this.resourceId = details.resourceId;
    this.index = details.index;
    if (details.dependencyId !== undefined) this.dependencyId = details.dependencyId;
    if (details.dependencyIndex !== undefined) this.dependencyIndex = details.dependencyIndex;
    if (details.cycle !== undefined) this.cycle = details.cycle;
    if (details.firstIndex !== undefined) this.firstIndex = details.firstIndex;
  }
}

/** `a -> b -> a`, the way Lynq prints a cycle. */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(' -> ');
}

function messageFor(d: GraphErrorDetails): string {
  switch (d.code) {
    case 'EmptyId':
      return 'resource ID cannot be empty';
    case 'DuplicateId':
      return `duplicate resource ID: ${d.resourceId}`;
    case 'UnknownDependency':
      return `resource ${d.resourceId} depends on non-existent resource: ${d.dependencyId ?? ''}`;
    case 'SelfReference':
    case 'Cycle':
      return `circular dependency detected: ${formatCycle(d.cycle ?? [])}`;
    case 'NotInGraph':
      return `resource ${d.resourceId} is not in the graph`;
  }
}
