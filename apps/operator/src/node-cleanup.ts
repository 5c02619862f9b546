// Removing what a node no longer renders (orphans) and everything of a node being deleted, each
// object per the deletion policy stamped on it: Delete, or Retain with orphan markers.
import {
  EventReasons,
  Finalizers,
  Kinds,
  OrphanReasons,
  type LynqNode,
  type OrphanReason,
} from '@lynq/api';
import { fromAppliedRef, objectIdentity, type ResourceKey } from '@lynq/plan';
import { isNotFound, type KubeObject, type ReconcileContext, setFinalizer } from '@lynq/runtime';
import { NodeType, type OperatorContext } from './context.js';

/** Cleanup retries before the finalizer is removed anyway (a node must not hang forever). */
const MAX_CLEANUP_RETRIES = 5;

const describe = (k: ResourceKey) => `${k.kind} ${k.namespace ? `${k.namespace}/` : ''}${k.name}`;

/** Deletes or retains one of the node's objects, as the policy on the live object says. */
function release(
  ctx: OperatorContext,
  node: LynqNode,
  key: ResourceKey,
  reason: OrphanReason,
  signal: AbortSignal,
) {
  const ref = {
    apiVersion: key.apiVersion,
    kind: key.kind,
    namespace: key.namespace,
    name: key.name,
  };
  const { name = '', namespace = '', uid } = node.metadata;
  return ctx.applier.release(ref, {
    node: { name, namespace, ...(uid ? { uid } : {}) },
    reason,
    signal,
  });
}

/**
 * Objects the node applied before and renders no more. Returns those that could not be removed:
 * they stay in the node's status so that a later reconcile tries again.
 */
export async function removeOrphans(
  ctx: OperatorContext,
  node: LynqNode,
  obj: KubeObject,
  orphans: readonly ResourceKey[],
  signal: AbortSignal,
): Promise<ResourceKey[]> {
  const kept: ResourceKey[] = [];
  for (const key of orphans) {
    try {
      const done = await release(ctx, node, key, OrphanReasons.RemovedFromTemplate, signal);
      if (done === 'deleted')
        ctx.events.node.record(
          obj,
          'Normal',
          EventReasons.OrphanedResourceDeleted,
          `Deleted ${describe(key)}: resource ${key.id} was removed from the template`,
        );
      if (done === 'retained')
        ctx.events.node.record(
          obj,
          'Normal',
          EventReasons.OrphanedResourceRetained,
          `Retained ${describe(key)} with orphan markers: resource ${key.id} was removed from the template (deletionPolicy Retain)`,
        );
    } catch (err) {
      if (signal.aborted) throw err;
      ctx.events.node.onChange(
        obj,
        `orphan/${describe(key)}`,
        'Warning',
        EventReasons.ApplyFailed,
        `Failed to remove orphaned ${describe(key)}: ${err instanceof Error ? err.message : String(err)}`,
      );
      kept.push(key);
    }
  }
  return kept;
}

/**
 * A node being deleted: every object it applied (its status) or renders now goes per its policy,
 * then the finalizer is removed. Failures are retried a few times before the finalizer goes anyway
 * with a CleanupPartialFailure event (objects with a controller ownerReference still go through
 * Kubernetes garbage collection).
 */
export async function cleanupNode(
  ctx: OperatorContext,
  node: LynqNode,
  obj: KubeObject,
  rc: ReconcileContext,
  rendered: readonly ResourceKey[],
): Promise<void> {
  const keys = new Map<string, ResourceKey>();
  for (const k of [...(node.status?.appliedResourceRefs ?? []).map(fromAppliedRef), ...rendered])
    keys.set(objectIdentity(k), k);
  const failures: string[] = [];
  for (const key of keys.values()) {
    try {
      const done = await release(ctx, node, key, OrphanReasons.NodeDeleted, rc.signal);
      if (done === 'retained')
        ctx.events.node.record(
          obj,
          'Normal',
          EventReasons.ResourceRetained,
          `Retained ${describe(key)} with orphan markers (deletionPolicy Retain)`,
        );
    } catch (err) {
      if (rc.signal.aborted) throw err;
      failures.push(`${describe(key)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failures.length > 0) {
    if (rc.retries < MAX_CLEANUP_RETRIES) throw new CleanupError(failures);
    ctx.events.node.record(
      obj,
      'Warning',
      EventReasons.CleanupPartialFailure,
      `Cleanup failed for ${failures.length} resources: ${failures.join('; ')}`,
    );
  }
  try {
    await setFinalizer(ctx.client, NodeType, obj, Finalizers.Node, false, rc.signal);
  } catch (err) {
    if (isNotFound(err)) return; // an earlier reconcile finished the job (stale cache)
    throw err;
  }
  ctx.events.node.record(
    obj,
    'Normal',
    EventReasons.LynqNodeDeleted,
    `LynqNode cleaned up: ${keys.size - failures.length} of ${keys.size} resources deleted or retained`,
  );
  ctx.events.node.forget(Kinds.Node, node.metadata.namespace, node.metadata.name ?? '');
  ctx.metrics.nodeDeleted(node.metadata.namespace ?? '', node.metadata.name ?? '');
}

export class CleanupError extends Error {
  readonly code = 'CLEANUP_FAILED';
  constructor(readonly failures: readonly string[]) {
    super(`cleanup of ${failures.length} resources failed: ${failures.join('; ')}`);
    this.name = 'CleanupError';
  }
}
