// Removing what a node no longer renders (orphans) and everything of a node being deleted, each
// object per the deletion policy stamped on it: Delete, or Retain with orphan markers.
import {
  EventReasons,
  Finalizers,
  Labels,
  OrphanReasons,
  type LynqNode,
  type OrphanReason,
} from '@lynq/api';
import { fromAppliedRef, type ResourceKey } from '@lynq/plan';
import { decideRemoval, liveDeletionPolicy } from '@lynq/policy';
import { isNotFound, type KubeObject, type ReconcileContext, setFinalizer } from '@lynq/runtime';
import { NodeType, type OperatorContext } from './context.js';

/** Cleanup retries before the finalizer is removed anyway (a node must not hang forever). */
const MAX_CLEANUP_RETRIES = 5;

/** Whether the live object is this node's: its ownerReference or its tracking labels. */
function belongsTo(live: KubeObject, node: LynqNode): boolean {
  const uid = node.metadata.uid;
  if (uid && (live.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) return true;
  const labels = live.metadata.labels ?? {};
  return (
    labels[Labels.Node] === node.metadata.name &&
    labels[Labels.NodeNamespace] === node.metadata.namespace
  );
}

const describe = (k: ResourceKey) => `${k.kind} ${k.namespace ? `${k.namespace}/` : ''}${k.name}`;

/**
 * Deletes or retains one object. Returns what happened, or undefined when there was nothing of
 * this node's to remove (gone already, or now someone else's).
 */
async function remove(
  ctx: OperatorContext,
  node: LynqNode,
  key: ResourceKey,
  reason: OrphanReason,
  signal: AbortSignal,
): Promise<'deleted' | 'retained' | undefined> {
  const ref = {
    apiVersion: key.apiVersion,
    kind: key.kind,
    namespace: key.namespace,
    name: key.name,
  };
  const live = await ctx.applier.get(ref, { signal });
  if (live === null || !belongsTo(live as KubeObject, node)) return undefined;
  const decision = decideRemoval({
    deletionPolicy: liveDeletionPolicy(live as KubeObject),
    reason,
    now: new Date(),
  });
  if (decision.action === 'delete') {
    await ctx.applier.delete(ref, { signal });
    return 'deleted';
  }
  await ctx.applier.markOrphaned(ref, {
    reason,
    from: {
      name: node.metadata.name ?? '',
      ...(node.metadata.uid ? { uid: node.metadata.uid } : {}),
    },
    signal,
  });
  return 'retained';
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
      const done = await remove(ctx, node, key, OrphanReasons.RemovedFromTemplate, signal);
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
    keys.set(`${k.group}/${k.kind}/${k.namespace ?? ''}/${k.name}`, k);
  const failures: string[] = [];
  for (const key of keys.values()) {
    try {
      const done = await remove(ctx, node, key, OrphanReasons.NodeDeleted, rc.signal);
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
  ctx.events.node.forget(node.metadata.uid ?? '');
  ctx.metrics.nodeDeleted(node.metadata.namespace ?? '', node.metadata.name ?? '');
}

export class CleanupError extends Error {
  readonly code = 'CLEANUP_FAILED';
  constructor(readonly failures: readonly string[]) {
    super(`cleanup of ${failures.length} resources failed: ${failures.join('; ')}`);
    this.name = 'CleanupError';
  }
}
