import type { OwnershipDecision } from '@lynq/policy';
import { InvalidObjectError } from './errors.js';
import { refOf, type KubeObject } from './object-ref.js';

/**
 * Returns a copy of `desired` carrying @lynq/policy's ownership decision: the controller
 * ownerReference (replacing an earlier reference to the same owner) or the tracking labels, plus
 * the decision's annotations (`lynq.sh/deletion-policy`). `namespaced` is the kind's scope.
 */
export function withOwnership(
  desired: KubeObject,
  decision: OwnershipDecision,
  namespaced: boolean,
): KubeObject {
  const metadata = { ...desired.metadata };
  if (decision.mode === 'ownerReference') {
    const owner = decision.ownerReference;
    if (!namespaced) {
      // The garbage collector would treat a namespaced owner as absent and delete the object.
      throw new InvalidObjectError(
        refOf(desired),
        'metadata.ownerReferences',
        `a cluster-scoped object cannot be owned by ${owner.kind} ${owner.name}; use tracking labels`,
      );
    }
    const others = (metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.uid);
    const otherController = others.find((r) => r.controller === true);
    if (otherController !== undefined) {
      throw new InvalidObjectError(
        refOf(desired),
        'metadata.ownerReferences',
        `already controlled by ${otherController.kind} ${otherController.name}; an object has at most one controller`,
      );
    }
    metadata.ownerReferences = [...others, { ...owner }];
  } else {
    metadata.labels = { ...metadata.labels, ...decision.labels };
  }
  metadata.annotations = { ...metadata.annotations, ...decision.annotations };
  return { ...desired, metadata };
}
