import type { OwnershipDecision } from '@lynq/policy';
import { InvalidObjectError } from './errors.js';
import { refOf, type KubeObject, type OwnerReference } from './object-ref.js';

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
    const existing = metadata.ownerReferences ?? [];
    // The same owner: its uid, or (as controller-runtime's SetControllerReference matches) its
    // group, kind and name. Go replaces that reference where it stands and appends otherwise; the
    // order of the list is part of the applied-hash, so it is kept the same way here.
    const same = (r: OwnerReference) =>
      r.uid === owner.uid ||
      (groupOf(r.apiVersion) === groupOf(owner.apiVersion) &&
        r.kind === owner.kind &&
        r.name === owner.name);
    const otherController = existing.find((r) => !same(r) && r.controller === true);
    if (otherController !== undefined) {
      throw new InvalidObjectError(
        refOf(desired),
        'metadata.ownerReferences',
        `already controlled by ${otherController.kind} ${otherController.name}; an object has at most one controller`,
      );
    }
    const at = existing.findIndex(same);
    const refs = existing.flatMap((r, i) => (i === at ? [{ ...owner }] : same(r) ? [] : [r]));
    if (at === -1) refs.push({ ...owner });
    metadata.ownerReferences = refs;
  } else {
    metadata.labels = { ...metadata.labels, ...decision.labels };
  }
  metadata.annotations = { ...metadata.annotations, ...decision.annotations };
  return { ...desired, metadata };
}

/** The group of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}
