// The detail pages' data: a hub, a form (resources, dependency levels, policies, rollout) and a
// node (each resource's live readiness, other field managers, conflicts, skips, YAML).
import {
  EventReasons,
  FIELD_MANAGER,
  Kinds,
  listResources,
  type LynqForm,
  type LynqHub,
  type LynqNode,
  type TResource,
} from '@lynq/api';
import { buildGraph } from '@lynq/graph';
import { checkResourceReadiness, compileReadyWhen } from '@lynq/policy';
import type { KubeObject } from '@lynq/runtime';
import { stringify } from 'yaml';
import type { LiveState } from './live-state.js';
import { datasourceView, displayObject, redactLynqObject } from './redact.js';
import {
  conditionViews,
  eventViews,
  idOf,
  resourceIdOfEvent,
  type KubeEvent,
} from './summaries.js';
import type {
  FieldManagerView,
  FormDetail,
  FormResourceView,
  HubDetail,
  NodeDetail,
  NodeResourceView,
  PolicyView,
} from './view-model.js';

/** Reads one live object; undefined when it does not exist. Errors are returned, not thrown. */
export type LiveReader = (ref: {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}) => Promise<KubeObject | undefined | Error>;

export function policiesOf(r: TResource): PolicyView {
  return {
    creationPolicy: r.creationPolicy ?? 'WhenNeeded',
    deletionPolicy: r.deletionPolicy ?? 'Delete',
    conflictPolicy: r.conflictPolicy ?? 'Stuck',
    patchStrategy: r.patchStrategy ?? 'apply',
    waitForReady: r.waitForReady ?? true,
    timeoutSeconds: r.timeoutSeconds ?? 300,
    skipOnDependencyFailure: r.skipOnDependencyFailure ?? true,
    ignoreFields: r.ignoreFields ?? [],
    readyWhen: r.readyWhen ?? [],
  };
}

function kindOf(r: TResource, fallback: string): { kind: string; apiVersion: string } {
  const kind = typeof r.spec?.['kind'] === 'string' ? r.spec['kind'] : fallback;
  const apiVersion = typeof r.spec?.['apiVersion'] === 'string' ? r.spec['apiVersion'] : '';
  return { kind, apiVersion };
}

export function hubDetail(state: LiveState, hub: LynqHub): HubDetail | undefined {
  const id = idOf(hub);
  const summary = state.summary('hubs', id);
  if (summary === undefined) return undefined;
  const ns = hub.metadata.namespace ?? '';
  const detail: HubDetail = {
    summary,
    datasource: datasourceView(hub),
    valueMappings: { ...(hub.spec?.valueMappings ?? {}) } as Record<string, string>,
    extraValueMappings: { ...(hub.spec?.extraValueMappings ?? {}) },
    conditions: conditionViews(hub.status?.conditions),
    forms: state
      .list('forms')
      .filter((f) => f.namespace === ns && f.hubId === hub.metadata.name)
      .map((f) => f.id),
    nodes: state
      .list('nodes')
      .filter((n) => n.namespace === ns && n.hub === hub.metadata.name)
      .map((n) => n.id),
    events: eventViews(state.eventsOf(Kinds.Hub, id)),
  };
  const guard = hub.spec?.deletionGuard;
  if (guard !== undefined)
    detail.deletionGuard = {
      maxDeletePercent: guard.maxDeletePercent ?? 50,
      minDeletions: guard.minDeletions ?? 10,
    };
  return detail;
}

export function formDetail(state: LiveState, form: LynqForm): FormDetail | undefined {
  const id = idOf(form);
  const summary = state.summary('forms', id);
  if (summary === undefined) return undefined;
  const entries = form.spec === undefined ? [] : listResources(form.spec);
  const graph = buildGraph(entries.map((e) => e.resource));
  const levelOf = (rid: string): number =>
    graph.ok && graph.graph.has(rid) ? graph.graph.levelOf(rid) : 0;
  const resources: FormResourceView[] = entries.map((e) => ({
    id: e.resource.id,
    ...kindOf(e.resource, e.listKey),
    list: e.listKey,
    dependIds: e.resource.dependIds ?? [],
    level: levelOf(e.resource.id),
    policies: policiesOf(e.resource),
  }));
  const ns = form.metadata.namespace ?? '';
  return {
    summary,
    templateSyntax: form.spec?.templateSyntax ?? 'go',
    resources,
    graphErrors: graph.ok ? [] : graph.errors.map((e) => e.message),
    conditions: conditionViews(form.status?.conditions),
    maxSkew: form.spec?.rollout?.maxSkew ?? 0,
    nodes: state
      .list('nodes')
      .filter((n) => n.namespace === ns && n.form === form.metadata.name)
      .map((n) => n.id),
    events: eventViews(state.eventsOf(Kinds.Form, id)),
  };
}

function otherManagers(live: KubeObject): FieldManagerView[] {
  const managed = live.metadata['managedFields'];
  if (!Array.isArray(managed)) return [];
  const out: FieldManagerView[] = [];
  for (const m of managed as Array<{
    manager?: string;
    operation?: string;
    time?: string;
    subresource?: string;
  }>) {
    if (m.manager === undefined || m.manager === FIELD_MANAGER || m.subresource === 'status')
      continue;
    out.push({
      manager: m.manager,
      operation: m.operation ?? '',
      ...(m.time !== undefined ? { time: m.time } : {}),
    });
  }
  return out;
}

/** The newest event of `reason` naming resource `id`. */
function lastEventAbout(
  events: readonly KubeEvent[],
  reason: string,
  id: string,
): string | undefined {
  let best: KubeEvent | undefined;
  for (const e of events) {
    if (e.reason !== reason || resourceIdOfEvent(e.message ?? '') !== id) continue;
    if (best === undefined || (e.lastTimestamp ?? '') > (best.lastTimestamp ?? '')) best = e;
  }
  return best?.message;
}

export async function nodeDetail(
  state: LiveState,
  node: LynqNode,
  read: LiveReader,
): Promise<NodeDetail | undefined> {
  const id = idOf(node);
  const summary = state.summary('nodes', id);
  if (summary === undefined) return undefined;
  const events = state.eventsOf(Kinds.Node, id);
  const refs = new Map((node.status?.appliedResourceRefs ?? []).map((r) => [r.id, r]));
  const entries = node.spec === undefined ? [] : listResources(node.spec);
  const graph = buildGraph(entries.map((e) => e.resource));
  const levelOf = (rid: string): number =>
    graph.ok && graph.graph.has(rid) ? graph.graph.levelOf(rid) : 0;
  const resources = await Promise.all(
    entries.map(async (e): Promise<NodeResourceView> => {
      const r = e.resource;
      const ref = refs.get(r.id);
      const fromSpec = kindOf(r, e.listKey);
      const state = summary.resources.find((s) => s.id === r.id)?.state ?? 'pending';
      const view: NodeResourceView = {
        id: r.id,
        kind: ref?.kind ?? fromSpec.kind,
        apiVersion: ref?.apiVersion ?? fromSpec.apiVersion,
        name: ref?.name ?? '',
        state,
        dependIds: r.dependIds ?? [],
        level: levelOf(r.id),
        readiness: state === 'skipped' ? 'skipped' : 'not applied',
        policies: policiesOf(r),
        otherManagers: [],
      };
      if (ref?.namespace !== undefined) view.namespace = ref.namespace;
      const conflict = lastEventAbout(events, EventReasons.ResourceConflict, r.id);
      if (conflict !== undefined) view.conflict = conflict;
      if (state === 'skipped')
        view.skippedBecause =
          lastEventAbout(events, EventReasons.DependencySkipped, r.id) ??
          'a dependency failed (skipOnDependencyFailure)';
      if (ref === undefined) return view;
      const live = await read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}),
        name: ref.name,
      });
      if (live instanceof Error) {
        view.readiness = `cannot read: ${live.message}`;
        return view;
      }
      if (live === undefined) {
        view.ready = false;
        view.readiness = 'not found in the cluster';
        return view;
      }
      const compiled = r.readyWhen?.length ? compileReadyWhen(r.readyWhen) : undefined;
      const verdict = checkResourceReadiness(
        live,
        compiled?.ok === true ? compiled.readyWhen : undefined,
      );
      view.ready = verdict.ready;
      view.readiness = verdict.ready ? 'ready' : `${verdict.reason}: ${verdict.message}`;
      view.otherManagers = otherManagers(live);
      view.yaml = stringify(displayObject(live));
      return view;
    }),
  );
  return {
    summary,
    conditions: conditionViews(node.status?.conditions),
    resources,
    events: eventViews(events),
    yaml: stringify(redactLynqObject(node as unknown as KubeObject)),
  };
}
