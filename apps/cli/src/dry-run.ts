// One object of a node through a server-side dry run: the live object, what the API server
// would store if the operator applied the rendered object now (the operator's apply options:
// strategy, conflict policy, Once, ownership, ignoreFields), and the field-level difference
// between the two, the way `kubectl diff` compares live and dry-run objects.
import type { KubeObject } from '@lynq/apply';
import { fieldDiff, type FieldChange, type PlannedObject } from '@lynq/plan';
import { decideOwnership } from '@lynq/policy';
import type { Cluster } from './cluster.js';
import { maskChanges, maskObject } from './secret-mask.js';

export interface ServerDiff {
  /** `create`: absent now. `change`: the dry run differs from the live object. `unchanged`:
   * the operator would not write, or the server found nothing to change. `skipped`: creationPolicy
   * Once and it exists. `error`: the dry run was refused (`error` says why). */
  action: 'create' | 'change' | 'unchanged' | 'skipped' | 'error';
  changes: FieldChange[];
  /** The object the server would store (create and change). */
  object?: KubeObject;
  error?: string;
}

export interface NodeIdentity {
  name: string;
  namespace: string;
  /** Absent for a node that does not exist yet: no ownerReference can name it. */
  uid?: string | undefined;
}

/** Fields the server sets on every write, which say nothing about the change itself. */
function comparable(obj: KubeObject | null | undefined): unknown {
  if (!obj) return undefined;
  const {
    managedFields: _m,
    resourceVersion: _r,
    ...metadata
  } = obj.metadata as Record<string, unknown>;
  return { ...obj, metadata };
}

export async function serverDiff(
  cluster: Cluster,
  node: NodeIdentity,
  planned: PlannedObject,
): Promise<ServerDiff> {
  if (!planned.manifest || !planned.key)
    return { action: 'error', changes: [], error: 'not rendered' };
  const { policies, key } = planned;
  const decision = decideOwnership({
    deletionPolicy: policies.deletionPolicy,
    node: { name: node.name, namespace: node.namespace, uid: node.uid ?? '' },
    targetNamespace: key.namespace,
    namespaced: planned.scope !== 'Cluster',
  });
  const ownership = decision.mode === 'ownerReference' && !node.uid ? undefined : decision;
  try {
    const live = await cluster.object({
      apiVersion: key.apiVersion,
      kind: key.kind,
      name: key.name,
      ...(key.namespace ? { namespace: key.namespace } : {}),
    });
    const result = await cluster.applier.apply(planned.manifest as KubeObject, {
      dryRun: true,
      strategy: policies.patchStrategy,
      conflictPolicy: policies.conflictPolicy,
      creationPolicy: policies.creationPolicy,
      ...(ownership ? { ownership } : {}),
      ignoreFields: policies.ignoreFields,
      adoptForeign: policies.conflictPolicy === 'Force',
      cachedLive: live,
    });
    if (result.action === 'skipped') return { action: 'skipped', changes: [] };
    // Secret values (live ones too) leave only masked: see secret-mask.ts.
    const object = maskObject(result.object, key.kind);
    if (live === null) return { action: 'create', changes: [], object };
    const changes = maskChanges(key.kind, fieldDiff(comparable(live), comparable(result.object)));
    return changes.length === 0
      ? { action: 'unchanged', changes: [] }
      : { action: 'change', changes, object };
  } catch (err) {
    return {
      action: 'error',
      changes: [],
      error: err instanceof Error ? err.message : String(err),
    };
  }
}
