import type { NodeErrorKind } from '@lynq/policy';

/**
 * Why a node cannot be planned at all (reference §3.3 steps 1–2). `kind` is the Ready reason
 * (@lynq/policy nodeErrorConditions turns it into conditions); `field` locates the problem on
 * the LynqNode.
 */
export class NodePlanError extends Error {
  override readonly name = 'NodePlanError';
  constructor(
    readonly kind: NodeErrorKind,
    /** Field path on the LynqNode, e.g. `metadata.annotations['lynq.sh/extra']`. */
    readonly field: string,
    message: string,
    /** For DependencyError: each problem of the graph (see @lynq/graph). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}
