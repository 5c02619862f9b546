import {
  Annotations,
  FIELD_MANAGER,
  Kinds,
  API_VERSION,
  Labels,
  type ConflictPolicy,
  type CreationPolicy,
  type DeletionPolicy,
  type OrphanReason,
  type PatchStrategy,
} from '@lynq/api';
import type { KubeObject } from './kube-object.js';

// ---- creation -----------------------------------------------------------------------------------

/** What to do with one resource of a node before writing it (reference §3.3 step 5, §5). */
export type CreationDecision =
  | {
      action: 'skip';
      /** Once, already created: count it ready without a readiness check. */
      countAsReady: true;
      reason: string;
    }
  | {
      action: 'apply';
      /** Annotations to stamp on the desired object (`lynq.sh/created-once` for Once). */
      annotations: Record<string, string>;
      /** Whether ignoreFields apply: WhenNeeded on an object that already exists. */
      useIgnoreFields: boolean;
    };

export interface CreationInput {
  creationPolicy: CreationPolicy;
  /** The live object, or undefined when it does not exist. */
  live: KubeObject | undefined;
  /** Whether the resource has ignoreFields at all. */
  hasIgnoreFields?: boolean;
}

/**
 * Once: apply a single time, marking the object `lynq.sh/created-once=true`; later passes skip it
 * (a pre-existing unmarked object is adopted by that first apply). WhenNeeded: apply every time,
 * preserving ignoreFields from the live object when it exists.
 */
export function decideCreation({
  creationPolicy,
  live,
  hasIgnoreFields = true,
}: CreationInput): CreationDecision {
  if (creationPolicy === 'Once') {
    if (live?.metadata?.annotations?.[Annotations.CreatedOnce] === 'true')
      return {
        action: 'skip',
        countAsReady: true,
        reason: `creationPolicy Once: already created (${Annotations.CreatedOnce}=true)`,
      };
    return {
      action: 'apply',
      annotations: { [Annotations.CreatedOnce]: 'true' },
      useIgnoreFields: false,
    };
  }
  return {
    action: 'apply',
    annotations: {},
    useIgnoreFields: hasIgnoreFields && live !== undefined,
  };
}

// ---- ownership ----------------------------------------------------------------------------------

/** The LynqNode that owns the resources it applies. */
export interface NodeIdentity {
  name: string;
  namespace: string;
  uid: string;
}

export interface ControllerOwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: true;
  blockOwnerDeletion: true;
}

/** How an applied object is tied to its node, and the metadata that says so. */
export type OwnershipDecision =
  | {
      mode: 'ownerReference';
      ownerReference: ControllerOwnerReference;
      annotations: Record<string, string>;
      reason: string;
    }
  | {
      mode: 'labels';
      labels: Record<string, string>;
      annotations: Record<string, string>;
      reason: string;
    };

export interface OwnershipInput {
  deletionPolicy: DeletionPolicy;
  node: NodeIdentity;
  /** The object's namespace after rendering (ignored when it is cluster-scoped). */
  targetNamespace: string | undefined;
  /** The kind's scope, from discovery. */
  namespaced: boolean;
}

/**
 * Reference §5.1: a controller ownerReference to the LynqNode when the object is namespaced, in
 * the node's namespace and its policy is Delete (Kubernetes GC then deletes it with the node);
 * otherwise the tracking labels `lynq.sh/node` + `lynq.sh/node-namespace`, so a Retain object
 * survives its node and a cross-namespace or cluster-scoped object (which an ownerReference
 * cannot point from) is still found. Always stamps `lynq.sh/deletion-policy`.
 */
export function decideOwnership({
  deletionPolicy,
  node,
  targetNamespace,
  namespaced,
}: OwnershipInput): OwnershipDecision {
  const annotations = { [Annotations.DeletionPolicy]: deletionPolicy };
  const sameNamespace = namespaced && (targetNamespace || node.namespace) === node.namespace;
  if (sameNamespace && deletionPolicy === 'Delete')
    return {
      mode: 'ownerReference',
      ownerReference: {
        apiVersion: API_VERSION,
        kind: Kinds.Node,
        name: node.name,
        uid: node.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
      annotations,
      reason: 'same namespace and deletionPolicy Delete',
    };
  const reason =
    deletionPolicy === 'Retain'
      ? 'deletionPolicy Retain'
      : !namespaced
        ? 'cluster-scoped object'
        : `namespace ${targetNamespace ?? ''} differs from the node's ${node.namespace}`;
  return {
    mode: 'labels',
    labels: { [Labels.Node]: node.name, [Labels.NodeNamespace]: node.namespace },
    annotations,
    reason,
  };
}

// ---- removal ------------------------------------------------------------------------------------

/** What happens to an applied object whose node or template entry is gone. */
export type RemovalDecision =
  | { action: 'delete' }
  | {
      action: 'orphan';
      /** Remove these labels and every ownerReference to the node. */
      removeLabels: string[];
      /** Set these. */
      labels: Record<string, string>;
      annotations: Record<string, string>;
    };

export interface RemovalInput {
  /** The policy stamped on the live object (`lynq.sh/deletion-policy`), which wins over the form's. */
  deletionPolicy: DeletionPolicy | undefined;
  reason: OrphanReason;
  now: Date;
}

/** Delete (the default), or mark the object orphaned and keep it (Retain). */
export function decideRemoval({ deletionPolicy, reason, now }: RemovalInput): RemovalDecision {
  if (deletionPolicy !== 'Retain') return { action: 'delete' };
  return {
    action: 'orphan',
    removeLabels: [Labels.Node, Labels.NodeNamespace],
    labels: { [Labels.Orphaned]: 'true' },
    annotations: {
      [Annotations.OrphanedAt]: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      [Annotations.OrphanedReason]: reason,
    },
  };
}

/** Reads the deletion policy stamped on a live object; Delete when absent or unrecognised. */
export function liveDeletionPolicy(live: KubeObject | undefined): DeletionPolicy {
  return live?.metadata?.annotations?.[Annotations.DeletionPolicy] === 'Retain'
    ? 'Retain'
    : 'Delete';
}

// ---- write method -------------------------------------------------------------------------------

/** The API write that applies one object (reference §5 step 5). */
export type WriteDecision =
  | {
      method: 'server-side-apply';
      fieldManager: string;
      /** Take ownership of conflicting fields (conflictPolicy Force). */
      force: boolean;
      /** With Stuck, a 409 conflict is a ConflictError for this resource, not a retry. */
      onConflict: 'fail' | 'force';
    }
  | { method: 'create' }
  | { method: 'json-merge-patch' }
  | { method: 'update'; resourceVersion: string };

export interface WriteInput {
  patchStrategy: PatchStrategy;
  conflictPolicy: ConflictPolicy;
  live: KubeObject | undefined;
}

/**
 * apply → Server-Side Apply as `lynq-operator`, forced only with conflictPolicy Force. merge →
 * create, or an RFC 7386 JSON merge patch of the whole object. replace → create, or an update
 * carrying the live resourceVersion (fields not in the template are dropped). conflictPolicy
 * only matters for apply.
 */
export function decideWrite({ patchStrategy, conflictPolicy, live }: WriteInput): WriteDecision {
  if (patchStrategy === 'apply') {
    const force = conflictPolicy === 'Force';
    return {
      method: 'server-side-apply',
      fieldManager: FIELD_MANAGER,
      force,
      onConflict: force ? 'force' : 'fail',
    };
  }
  if (live === undefined) return { method: 'create' };
  if (patchStrategy === 'merge') return { method: 'json-merge-patch' };
  const resourceVersion = live.metadata?.resourceVersion;
  return {
    method: 'update',
    resourceVersion: typeof resourceVersion === 'string' ? resourceVersion : '',
  };
}
