// For maxSkew (reference §3.6 (d)): a paced rollout moves on only when each node's Deployments,
// StatefulSets and DaemonSets have really settled, not when the node says Ready. The operator's hub
// controller and `lynq plan` ask the same question of different sources (a watch cache, the API
// server), so the source is a parameter and the question is answered here once.
import type { AppliedResourceRef, KubeObject, LynqForm, LynqNode } from '@lynq/api';
import { checkRolloutReadiness } from '@lynq/policy';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Reads the live object a node applied; null or undefined when it does not exist. */
export type LiveObjectReader = (ref: AppliedResourceRef) => Promise<KubeObject | null | undefined>;

/**
 * Whether each node of a form that paces its rollout (`rollout.maxSkew > 0`) has settled workloads,
 * keyed by node name, for `planHub`'s `workloadsReady`; undefined when no form is paced (nothing
 * is read). A node's objects are read one at a time and reading stops at its first unsettled one.
 */
export async function workloadsReady(
  forms: readonly LynqForm[],
  nodes: readonly LynqNode[],
  read: LiveObjectReader,
): Promise<Record<string, boolean> | undefined> {
  const paced = new Set(
    forms.filter((f) => (f.spec.rollout?.maxSkew ?? 0) > 0).map((f) => f.metadata.name),
  );
  if (paced.size === 0) return undefined;
  const out: Record<string, boolean> = {};
  for (const node of nodes) {
    if (!paced.has(node.spec?.templateRef)) continue;
    let ready = true;
    for (const ref of node.status?.appliedResourceRefs ?? []) {
      if (!WORKLOAD_KINDS.has(ref.kind) || !ref.apiVersion.startsWith('apps/')) continue;
      const live = await read(ref);
      if (!checkRolloutReadiness(live ?? undefined).ready) {
        ready = false;
        break;
      }
    }
    out[node.metadata.name ?? ''] = ready;
  }
  return out;
}
