import { Annotations, GROUP, Kinds, Labels } from '@lynq/api';
import type { OrphanReason } from '@lynq/api';
import { decideRemoval } from '@lynq/policy';
import type { KubeObject, OwnerReference } from './object-ref.js';

/** The LynqNode an orphaned object used to belong to; ownerReferences to it are removed. */
export interface OrphanedFrom {
  name: string;
  /** When given, only ownerReferences with this uid are removed (safer than the name). */
  uid?: string;
}

export function hasOrphanMarkers(obj: KubeObject): boolean {
  const labels = obj.metadata.labels ?? {};
  const annotations = obj.metadata.annotations ?? {};
  return (
    Labels.Orphaned in labels ||
    Annotations.OrphanedAt in annotations ||
    Annotations.OrphanedReason in annotations
  );
}

/**
 * JSON merge patch that marks `live` orphaned as @lynq/policy's Retain decision says
 * (`lynq.sh/orphaned=true`, orphaned-at, orphaned-reason; tracking labels removed) and drops the
 * ownerReferences to the node. The live resourceVersion is a precondition, so a concurrent change
 * makes the patch fail instead of being lost.
 */
export function orphanMarkPatch(
  live: KubeObject,
  reason: OrphanReason,
  now: Date,
  from?: OrphanedFrom,
): Record<string, unknown> {
  const decision = decideRemoval({ deletionPolicy: 'Retain', reason, now });
  const labels: Record<string, string | null> = {};
  const annotations: Record<string, string | null> = {};
  if (decision.action === 'orphan') {
    for (const key of decision.removeLabels) labels[key] = null;
    Object.assign(labels, decision.labels);
    Object.assign(annotations, decision.annotations);
  }
  const metadata: Record<string, unknown> = {
    resourceVersion: live.metadata.resourceVersion,
    labels,
    annotations,
  };
  const refs = live.metadata.ownerReferences ?? [];
  const kept = refs.filter((r) => !pointsAtNode(r, from));
  if (kept.length !== refs.length) metadata['ownerReferences'] = kept.length > 0 ? kept : null;
  return { metadata };
}

/** JSON merge patch that removes the orphan markers (re-adoption). */
export function orphanClearPatch(live: KubeObject): Record<string, unknown> {
  return {
    metadata: {
      resourceVersion: live.metadata.resourceVersion,
      labels: { [Labels.Orphaned]: null },
      annotations: { [Annotations.OrphanedAt]: null, [Annotations.OrphanedReason]: null },
    },
  };
}

function pointsAtNode(ref: OwnerReference, from: OrphanedFrom | undefined): boolean {
  if (ref.kind !== Kinds.Node || !ref.apiVersion.startsWith(`${GROUP}/`)) return false;
  if (from === undefined) return true;
  return from.uid !== undefined ? ref.uid === from.uid : ref.name === from.name;
}
