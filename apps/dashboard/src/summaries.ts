// Pure: Lynq objects (as the API server holds them) → the summaries the UI draws. Every status
// classification lives here, so the browser never interprets conditions itself.
import {
  Annotations,
  ConditionTypes,
  EventReasons,
  Labels,
  NodeReasons,
  listResources,
  type Condition,
  type LynqForm,
  type LynqHub,
  type LynqNode,
} from '@lynq/api';
import type { KubeObject } from '@lynq/runtime';
import type {
  ConditionView,
  EventView,
  FormSummary,
  Health,
  HubSummary,
  NodeSummary,
  OrphanSummary,
  Overview,
  ResourceState,
  ResourceSummary,
  RolloutView,
} from './view-model.js';

/** `namespace/name` of an object. */
export function idOf(obj: { metadata: { namespace?: string; name?: string } }): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

function conditionOf(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function conditionViews(conditions: readonly Condition[] | undefined): ConditionView[] {
  return (conditions ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message } : {}),
    ...(c.lastTransitionTime !== undefined ? { lastTransitionTime: c.lastTransitionTime } : {}),
  }));
}

export function hubSummary(hub: LynqHub): HubSummary {
  const conditions = hub.status?.conditions;
  const ready = conditionOf(conditions, ConditionTypes.Ready);
  const degraded = conditionOf(conditions, ConditionTypes.Degraded);
  const health: Health =
    ready === undefined ? 'pending' : ready.status === 'True' ? 'ready' : 'failed';
  const summary: HubSummary = {
    id: idOf(hub),
    namespace: hub.metadata.namespace ?? '',
    name: hub.metadata.name ?? '',
    sourceType: hub.spec?.source?.type ?? '',
    syncInterval: hub.spec?.source?.syncInterval ?? '30s',
    health,
    message: ready?.message ?? 'not synced yet',
    desired: hub.status?.desired ?? 0,
    ready: hub.status?.ready ?? 0,
    failed: hub.status?.failed ?? 0,
    forms: hub.status?.referencingTemplates ?? 0,
  };
  if (health === 'ready' && ready?.lastTransitionTime !== undefined)
    summary.healthySince = ready.lastTransitionTime;
  if (degraded?.status === 'True' && degraded.reason === EventReasons.DeletionGuardHeld)
    summary.guardHeld = degraded.message ?? 'deletions held';
  return summary;
}

export function rolloutView(form: LynqForm): RolloutView | undefined {
  const r = form.status?.rollout;
  if (r === undefined || r.phase === undefined) return undefined;
  const view: RolloutView = {
    phase: r.phase,
    totalNodes: r.totalNodes ?? 0,
    updatedNodes: r.updatedNodes ?? 0,
    updatingNodes: r.updatingNodes ?? 0,
    readyUpdatedNodes: r.readyUpdatedNodes ?? 0,
  };
  if (r.message !== undefined) view.message = r.message;
  if (r.startTime !== undefined) view.startTime = r.startTime;
  return view;
}

export function formSummary(form: LynqForm): FormSummary {
  const conditions = form.status?.conditions;
  const valid = conditionOf(conditions, ConditionTypes.Valid);
  // The operator writes Applied (all nodes ready); Lynq's docs call it Ready: either counts.
  const ready =
    conditionOf(conditions, ConditionTypes.Ready) ??
    conditionOf(conditions, ConditionTypes.Applied);
  const isValid = valid?.status !== 'False';
  let health: Health;
  let message: string;
  if (!isValid) {
    health = 'failed';
    message = valid?.message ?? 'invalid';
  } else if (ready === undefined) {
    health = 'pending';
    message = valid === undefined ? 'not validated yet' : (valid.message ?? '');
  } else if (ready.status === 'True') {
    health = 'ready';
    message = ready.message ?? '';
  } else {
    // NoNodes is not a problem; NotAllNodesReady is, but the nodes say which.
    health = ready.reason === 'NoNodes' ? 'ready' : 'pending';
    message = ready.message ?? '';
  }
  const summary: FormSummary = {
    id: idOf(form),
    namespace: form.metadata.namespace ?? '',
    name: form.metadata.name ?? '',
    hubId: form.spec?.hubId ?? '',
    health,
    message,
    valid: isValid,
    totalNodes: form.status?.totalNodes ?? 0,
    readyNodes: form.status?.readyNodes ?? 0,
    resources: form.spec === undefined ? 0 : listResources(form.spec).length,
  };
  const rollout = rolloutView(form);
  if (rollout !== undefined) summary.rollout = rollout;
  return summary;
}

/** A core/v1 Event, the fields the dashboard reads. */
export interface KubeEvent extends KubeObject {
  involvedObject?: { kind?: string; namespace?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
}

export function eventTime(e: KubeEvent): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
}

export function eventViews(events: readonly KubeEvent[]): EventView[] {
  return [...events]
    .sort((a, b) => (eventTime(a) < eventTime(b) ? 1 : eventTime(a) > eventTime(b) ? -1 : 0))
    .map((e) => ({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: e.message ?? '',
      count: e.count ?? 1,
      lastTimestamp: eventTime(e),
    }));
}

/** Node Ready reasons that mean "broken", as opposed to "still converging". */
const FAILED_READY_REASONS: ReadonlySet<string> = new Set([
  NodeReasons.ResourcesFailed,
  NodeReasons.ResourcesConflicted,
  NodeReasons.ResourcesFailedAndConflicted,
  NodeReasons.VariablesBuildError,
  NodeReasons.DependencyError,
  NodeReasons.SortError,
]);

/**
 * The resource id an operator event is about: its messages say `resource <id>` or
 * `Resource '<id>'` (render, apply, readiness, conflict and dependency events).
 */
export function resourceIdOfEvent(message: string): string | undefined {
  const m = /[Rr]esource '([^']+)'|[Rr]esource ([^\s:']+):/.exec(message);
  return m?.[1] ?? m?.[2];
}

/** Warnings recorded since this time (minus slack for second-precision timestamps) are current. */
function currentWarnings(events: readonly KubeEvent[], since: string | undefined): KubeEvent[] {
  const from = since === undefined ? 0 : Date.parse(since) - 5000;
  return events
    .filter((e) => e.type === 'Warning' && !(Date.parse(eventTime(e)) < from))
    .sort((a, b) => (eventTime(a) < eventTime(b) ? 1 : -1));
}

export function nodeSummary(node: LynqNode, events: readonly KubeEvent[] = []): NodeSummary {
  const status = node.status ?? {};
  const conditions = status.conditions;
  const ready = conditionOf(conditions, ConditionTypes.Ready);
  const degraded = conditionOf(conditions, ConditionTypes.Degraded);
  const skippedIds = new Set(status.skippedResourceIds ?? []);
  const applied = new Map((status.appliedResourceRefs ?? []).map((r) => [r.id, r]));
  let health: Health;
  if (ready?.status === 'True') health = skippedIds.size > 0 ? 'skipped' : 'ready';
  else if (ready === undefined) health = 'pending';
  else if (
    FAILED_READY_REASONS.has(ready.reason ?? '') ||
    (degraded?.status === 'True' &&
      degraded.reason !== NodeReasons.ResourcesNotReady &&
      degraded.reason !== NodeReasons.Healthy)
  )
    health = 'failed';
  else health = skippedIds.size > 0 ? 'skipped' : 'pending';

  const warnings = health === 'ready' ? [] : currentWarnings(events, ready?.lastTransitionTime);
  const byResource = new Map<string, string>();
  for (const w of warnings) {
    const id = resourceIdOfEvent(w.message ?? '');
    if (id !== undefined && !byResource.has(id)) byResource.set(id, w.message ?? '');
  }
  const resources: ResourceSummary[] = [];
  for (const entry of node.spec === undefined ? [] : listResources(node.spec)) {
    const r = entry.resource;
    const ref = applied.get(r.id);
    const warning = byResource.get(r.id);
    let state: ResourceState;
    if (skippedIds.has(r.id)) state = 'skipped';
    else if (health === 'failed' && warning !== undefined) state = 'failed';
    else if (ref !== undefined) state = 'applied';
    else state = 'pending';
    const kind =
      ref?.kind ?? (typeof r.spec?.['kind'] === 'string' ? r.spec['kind'] : entry.listKey);
    const summary: ResourceSummary = { id: r.id, kind, state };
    if (ref !== undefined) {
      summary.name = ref.name;
      if (ref.namespace !== undefined) summary.namespace = ref.namespace;
    }
    if (warning !== undefined && state !== 'applied') summary.message = warning;
    resources.push(summary);
  }

  let message = '';
  if (health !== 'ready') {
    const parts = [ready?.message ?? 'not reconciled yet'];
    // The error of a failed resource says more than a summary event ("applied with failures").
    const failedResource = resources.find((r) => r.state === 'failed' && r.message !== undefined);
    const latest = failedResource?.message ?? warnings[0]?.message;
    if (health === 'failed' && latest !== undefined && latest !== parts[0]) parts.push(latest);
    message = parts.join(': ');
  }
  return {
    id: idOf(node),
    namespace: node.metadata.namespace ?? '',
    name: node.metadata.name ?? '',
    hub: node.metadata.labels?.[Labels.Hub] ?? '',
    form: node.spec?.templateRef ?? '',
    uid: node.spec?.uid ?? node.metadata.labels?.[Labels.Uid] ?? '',
    health,
    reason: ready?.reason ?? '',
    message,
    ready: status.readyResources ?? 0,
    desired: status.desiredResources ?? resources.length,
    failed: status.failedResources ?? 0,
    conflicted: status.conflictedResources ?? 0,
    skipped: status.skippedResources ?? 0,
    resources,
    deleting: node.metadata.deletionTimestamp !== undefined,
  };
}

export function orphanSummary(obj: KubeObject, kind: string, apiVersion: string): OrphanSummary {
  const labels = obj.metadata.labels ?? {};
  const annotations = obj.metadata.annotations ?? {};
  const namespace = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const nodeNs = labels[Labels.NodeNamespace];
  const node = labels[Labels.Node];
  return {
    id: `${kind}/${namespace}/${name}`,
    kind,
    apiVersion,
    namespace,
    name,
    node: node === undefined ? '' : `${nodeNs ?? namespace}/${node}`,
    reason: annotations[Annotations.OrphanedReason] ?? '',
    orphanedAt: annotations[Annotations.OrphanedAt] ?? '',
  };
}

export function overviewOf(
  hubs: Iterable<HubSummary>,
  forms: Iterable<FormSummary>,
  nodes: Iterable<NodeSummary>,
  orphans: number,
): Overview {
  const o: Overview = {
    hubs: { total: 0, ready: 0, failed: 0 },
    forms: { total: 0, valid: 0, invalid: 0 },
    nodes: { total: 0, ready: 0, failed: 0, pending: 0, skipped: 0 },
    rollouts: [],
    guardHolds: [],
    datasources: [],
    orphans,
  };
  for (const h of hubs) {
    o.hubs.total++;
    if (h.health === 'ready') o.hubs.ready++;
    if (h.health === 'failed') o.hubs.failed++;
    if (h.guardHeld !== undefined) o.guardHolds.push({ hub: h.id, message: h.guardHeld });
    o.datasources.push({
      hub: h.id,
      type: h.sourceType,
      healthy: h.health === 'ready',
      ...(h.healthySince !== undefined ? { healthySince: h.healthySince } : {}),
      message: h.message,
    });
  }
  for (const f of forms) {
    o.forms.total++;
    if (f.valid) o.forms.valid++;
    else o.forms.invalid++;
    if (f.rollout?.phase === 'InProgress' || f.rollout?.phase === 'Failed')
      o.rollouts.push({ form: f.id, ...f.rollout });
  }
  for (const n of nodes) {
    o.nodes.total++;
    o.nodes[n.health]++;
  }
  return o;
}
