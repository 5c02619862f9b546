// Phase 2 of the hub plan: desired nodes + their hub-level renders + the existing nodes → the
// changes to make, gated by the deletion guard and paced by maxSkew (reference §3.1, §3.6).
import {
  API_VERSION,
  Annotations,
  EventReasons,
  Kinds,
  type LynqForm,
  type LynqHub,
  type LynqHubStatus,
  type LynqNode,
} from '@lynq/api';
import {
  checkDeletionGuard,
  planFormRollout,
  rolloutNodeState,
  type NodeChange,
} from '@lynq/policy';
import type { FormRenderResult } from '@lynq/render';
import { buildDesiredNode, templateGeneration, type DesiredNode } from './desired-node.js';
import { desiredNodes, formsOfHub } from './desired-nodes.js';
import type { PlanEvent } from './events.js';
import { compareCodePoints } from './go-json.js';
import {
  databaseQueryFailedEvent,
  hubRegarding,
  nodeDeletingEvent,
  resourceSummary,
  type NodeDeletion,
} from './hub-events.js';
import { hubFieldsOf } from './hub-render-source.js';
import { computeHubStatus } from './hub-status.js';
import { updateReasons, updatedNode, type UpdateReason } from './node-diff.js';
import { hashedNodeName } from './node-name.js';
import type { HubFetch } from './rows.js';

/** The render of one entry's hub-level templates (a RenderHost outcome has this shape). */
export type HubRenderOutcome =
  { ok: true; result: FormRenderResult } | { ok: false; error: { message: string } };

export interface PlanHubInput {
  /** The hub, defaults applied. */
  hub: LynqHub;
  /** The LynqForms of the hub's namespace (others are ignored). */
  forms: readonly LynqForm[];
  fetch: HubFetch;
  /** Render outcome of every entry of desiredNodes(hub, forms, fetch), by entry id. */
  rendered: ReadonlyMap<string, HubRenderOutcome>;
  /** The hub's LynqNodes (label `lynq.sh/hub`), with status. */
  existing: readonly LynqNode[];
  now: Date;
  /**
   * By node name: whether the Deployments, StatefulSets and DaemonSets a node applied are really
   * settled (@lynq/policy checkRolloutReadiness), for maxSkew; absent means not looked at.
   */
  workloadsReady?: Readonly<Record<string, boolean>>;
}

export interface NodeUpdate {
  /** The object to write: the existing node with the hub's labels, annotations and spec. */
  node: DesiredNode;
  reasons: UpdateReason[];
  /** `TemplateApplied` / `DataUpdated` on the node, to record after a successful write. */
  events: PlanEvent[];
}

export interface HeldDeletion {
  name: string;
  /** Why it is held (the deletion guard's sentence). */
  reason: string;
  deletion: NodeDeletion;
}

export interface ThrottledForm {
  form: string;
  /** Creations and updates left for a later sync. */
  count: number;
  maxSkew: number;
  /** Nodes of the form counted as updating before this sync's changes. */
  updating: number;
}

export interface HubRenderError {
  /** The entry id (`{form}/{uid}`). */
  entry: string;
  node: string;
  form: string;
  uid: string;
  resourceId?: string;
  /** Field path in the form. */
  path?: string;
  message: string;
}

export interface HubPlan {
  /** forms × active rows (0 after a failed fetch). */
  desired: number;
  /** Sorted by name. */
  create: DesiredNode[];
  /** Sorted by name. */
  update: NodeUpdate[];
  /** Sorted by name; record `NodeDeleted` / `NodeDeletionFailed` (see hub-events) after each. */
  delete: NodeDeletion[];
  held: HeldDeletion[];
  throttled: ThrottledForm[];
  /** Entries whose hub-level templates failed: their nodes are neither created nor changed. */
  renderErrors: HubRenderError[];
  /** Events to record now, in order. */
  events: PlanEvent[];
  /** The hub's new status; write it only when !equalStatus(hub.status, status). */
  status: LynqHubStatus;
}

interface Spec {
  uid: string;
  templateRef: string;
}

function specOf(node: LynqNode): Spec | undefined {
  const spec = node.spec;
  return spec && typeof spec.uid === 'string' && typeof spec.templateRef === 'string'
    ? { uid: spec.uid, templateRef: spec.templateRef }
    : undefined;
}

const byName = (a: { metadata: { name?: string } }, b: { metadata: { name?: string } }) =>
  compareCodePoints(a.metadata.name ?? '', b.metadata.name ?? '');

function nodeRegarding(node: LynqNode) {
  const out: PlanEvent['regarding'] = {
    apiVersion: API_VERSION,
    kind: Kinds.Node,
    name: node.metadata.name ?? '',
  };
  if (node.metadata.namespace) out.namespace = node.metadata.namespace;
  if (node.metadata.uid) out.uid = node.metadata.uid;
  return out;
}

function updateEvents(
  hub: LynqHub,
  form: LynqForm,
  existing: LynqNode,
  desired: DesiredNode,
  reasons: readonly UpdateReason[],
  uid: string,
): PlanEvent[] {
  const generation = templateGeneration(form);
  const summary = resourceSummary(desired.spec);
  if (reasons.includes('template')) {
    const old = existing.metadata.annotations?.[Annotations.TemplateGeneration] ?? '';
    return [
      {
        type: 'Normal',
        reason: EventReasons.TemplateApplied,
        message: `Applying LynqForm '${form.metadata.name ?? ''}' changes (generation: ${old} -> ${generation}). Total ${summary.total} resources will be reconciled: ${summary.text}. Hub: ${hub.metadata.name ?? ''}, UID: ${uid}`,
        regarding: nodeRegarding(existing),
      },
    ];
  }
  if (reasons.includes('data'))
    return [
      {
        type: 'Normal',
        reason: EventReasons.DataUpdated,
        message: `LynqNode data updated from registry '${hub.metadata.name ?? ''}'. Total ${summary.total} resources may be affected. Template: ${form.metadata.name ?? ''} (generation: ${generation})`,
        regarding: nodeRegarding(existing),
      },
    ];
  return [];
}

const MAX_LISTED = 5;

function renderFailedEvents(hub: LynqHub, errors: readonly HubRenderError[]): PlanEvent[] {
  const byForm = new Map<string, HubRenderError[]>();
  for (const e of errors) {
    const list = byForm.get(e.form);
    if (list) list.push(e);
    else byForm.set(e.form, [e]);
  }
  const events: PlanEvent[] = [];
  for (const [form, list] of byForm) {
    const uids = [...new Set(list.map((e) => e.uid))];
    const first = list[0]!;
    const where = first.resourceId ? `resource ${first.resourceId}: ${first.path ?? ''}: ` : '';
    const detail = `${where}${first.message}`;
    const shown = uids.slice(0, MAX_LISTED).join(', ');
    const more = uids.length > MAX_LISTED ? ` and ${uids.length - MAX_LISTED} more` : '';
    events.push({
      type: 'Warning',
      reason: EventReasons.TemplateRenderFailed,
      message:
        uids.length === 1
          ? `Failed to render template for node ${uids[0]} (LynqForm '${form}'): ${detail}`
          : `Failed to render template for ${uids.length} nodes of LynqForm '${form}' (uids ${shown}${more}): ${detail}`,
      regarding: hubRegarding(hub),
    });
  }
  return events;
}

/**
 * The hub controller's decisions for one sync. Nothing is created, changed or deleted after a
 * failed fetch. Existing nodes are matched to rows by (spec.templateRef, spec.uid), as Lynq does,
 * so a node keeps its name. An entry whose hub-level render failed leaves its node as it is.
 * Creations and updates are paced per form by maxSkew; deletions happen only after a complete
 * fetch that identified every row, and only within the hub's deletion guard.
 */
export function planHub(input: PlanHubInput): HubPlan {
  const { hub, fetch, rendered, now } = input;
  const forms = formsOfHub(hub, input.forms);
  const formByName = new Map(forms.map((f) => [f.metadata.name ?? '', f]));
  const live = input.existing.filter((n) => !n.metadata.deletionTimestamp);
  const plan: HubPlan = {
    desired: 0,
    create: [],
    update: [],
    delete: [],
    held: [],
    throttled: [],
    renderErrors: [],
    events: [],
    status: {},
  };

  if (!fetch.ok) {
    plan.events.push(databaseQueryFailedEvent(hub, fetch.error.message));
    plan.status = computeHubStatus({
      hub,
      forms: forms.length,
      sync: { ok: false, message: fetch.error.message },
      nodes: input.existing,
      now,
    });
    return plan;
  }

  const desired = desiredNodes(hub, forms, fetch);
  plan.desired = desired.entries.length;

  // Existing nodes by (form, uid); nodes without a spec are not the hub's to judge.
  const existingByKey = new Map<string, LynqNode[]>();
  for (const node of [...live].sort(byName)) {
    const spec = specOf(node);
    if (!spec) continue;
    const key = `${spec.templateRef}/${spec.uid}`;
    const list = existingByKey.get(key);
    if (list) list.push(node);
    else existingByKey.set(key, [node]);
  }
  const takenNames = new Set(input.existing.map((n) => n.metadata.name ?? ''));
  const terminatingKeys = new Set<string>();
  for (const node of input.existing) {
    const spec = specOf(node);
    if (spec && node.metadata.deletionTimestamp)
      terminatingKeys.add(`${spec.templateRef}/${spec.uid}`);
  }
  const desiredKeys = new Set<string>();
  const duplicates: LynqNode[] = [];
  const creates: DesiredNode[] = [];
  const updates: NodeUpdate[] = [];

  for (const entry of desired.entries) {
    desiredKeys.add(entry.id);
    const form = formByName.get(entry.form)!;
    const found = existingByKey.get(entry.id) ?? [];
    // Prefer the node with the proposed name; any others for the same key are duplicates.
    const primary = found.find((n) => n.metadata.name === entry.name) ?? found[0];
    for (const n of found) if (n !== primary) duplicates.push(n);
    // The row's previous node is still being deleted: create it again once it is gone.
    if (!primary && terminatingKeys.has(entry.id)) continue;

    const outcome = rendered.get(entry.id);
    const fail = (message: string, resourceId?: string, path?: string) => {
      const e: HubRenderError = {
        entry: entry.id,
        node: primary?.metadata.name ?? entry.name,
        form: entry.form,
        uid: entry.uid,
        message,
      };
      if (resourceId) e.resourceId = resourceId;
      if (path) e.path = path;
      plan.renderErrors.push(e);
    };
    if (!outcome) {
      fail('no hub-level render result for this node');
      continue;
    }
    if (!outcome.ok) {
      fail(outcome.error.message);
      continue;
    }
    const fields = hubFieldsOf(form, outcome.result);
    if (!fields.ok) {
      for (const e of fields.errors) fail(e.message, e.resourceId, e.path);
      continue;
    }

    if (!primary) {
      let name = entry.name;
      if (takenNames.has(name)) name = hashedNodeName(entry.uid, entry.form);
      if (takenNames.has(name)) {
        fail(`the node names ${entry.name} and ${name} are both taken by other LynqNodes`);
        continue;
      }
      takenNames.add(name);
      creates.push(structuredClone(buildDesiredNode(hub, form, entry, fields.fields, name, now)));
      continue;
    }
    const want = buildDesiredNode(
      hub,
      form,
      entry,
      fields.fields,
      primary.metadata.name ?? '',
      now,
    );
    const reasons = updateReasons(primary, want);
    if (reasons.length === 0) continue;
    updates.push({
      node: structuredClone(updatedNode(primary, want)),
      reasons,
      events: updateEvents(hub, form, primary, want, reasons, entry.uid),
    });
  }

  paceByMaxSkew(plan, forms, live, creates, updates, input, now);
  planDeletions(plan, input, forms, live, desired, desiredKeys, duplicates);
  plan.events.unshift(...renderFailedEvents(hub, plan.renderErrors));

  plan.status = computeHubStatus({
    hub,
    forms: forms.length,
    sync: { ok: true, desired: plan.desired, problems: fetch.problems },
    nodes: input.existing,
    ...(plan.held.length > 0 ? { deletionsHeld: plan.held[0]!.reason } : {}),
    now,
  });
  return plan;
}

function paceByMaxSkew(
  plan: HubPlan,
  forms: readonly LynqForm[],
  live: readonly LynqNode[],
  creates: readonly DesiredNode[],
  updates: readonly NodeUpdate[],
  input: PlanHubInput,
  now: Date,
): void {
  const ready = input.workloadsReady;
  for (const form of forms) {
    const name = form.metadata.name ?? '';
    const formCreates = creates.filter((n) => n.spec.templateRef === name);
    const formUpdates = updates.filter((u) => u.node.spec.templateRef === name);
    const changes: NodeChange[] = [
      ...formCreates.map((n) => ({ nodeName: n.metadata.name, action: 'create' as const })),
      ...formUpdates.map((u) => ({ nodeName: u.node.metadata.name, action: 'update' as const })),
    ].sort((a, b) => compareCodePoints(a.nodeName, b.nodeName));
    const maxSkew = form.spec.rollout?.maxSkew ?? 0;
    const nodes = live
      .filter((n) => n.spec?.templateRef === name)
      .map((n) => {
        const nodeName = n.metadata.name ?? '';
        return rolloutNodeState(
          n,
          ready && Object.prototype.hasOwnProperty.call(ready, nodeName)
            ? ready[nodeName]
            : undefined,
        );
      });
    const pacing = planFormRollout({
      formName: name,
      formGeneration: form.metadata.generation ?? 0,
      maxSkew,
      nodes,
      changes,
      now,
    });
    const allowed = new Set(pacing.allowed.map((c) => c.nodeName));
    plan.create.push(...formCreates.filter((n) => allowed.has(n.metadata.name)));
    plan.update.push(...formUpdates.filter((u) => allowed.has(u.node.metadata.name)));
    if (pacing.throttled.length > 0) {
      plan.throttled.push({
        form: name,
        count: pacing.throttled.length,
        maxSkew,
        updating: pacing.updating.length,
      });
      if (pacing.event)
        plan.events.push({
          type: 'Normal',
          reason: pacing.event.reason,
          message: pacing.event.message,
          regarding: hubRegarding(input.hub),
        });
    }
  }
  plan.create.sort(byName);
  plan.update.sort((a, b) => byName(a.node, b.node));
}

function planDeletions(
  plan: HubPlan,
  input: PlanHubInput,
  forms: readonly LynqForm[],
  live: readonly LynqNode[],
  desired: ReturnType<typeof desiredNodes>,
  desiredKeys: ReadonlySet<string>,
  duplicates: readonly LynqNode[],
): void {
  if (input.fetch.ok !== true) return;
  const formNames = new Set(forms.map((f) => f.metadata.name ?? ''));
  const rowUids = new Set(input.fetch.rows.map((r) => r.uid));
  const candidates: NodeDeletion[] = [];
  const deletion = (node: LynqNode, spec: Spec, reason: NodeDeletion['reason']) => {
    const d: NodeDeletion = {
      name: node.metadata.name ?? '',
      namespace: node.metadata.namespace ?? input.hub.metadata.namespace ?? '',
      form: spec.templateRef,
      rowUid: spec.uid,
      reason,
    };
    if (node.metadata.uid) d.uid = node.metadata.uid;
    return d;
  };
  let considered = 0;
  for (const node of live) {
    const spec = specOf(node);
    if (!spec) continue;
    considered++;
    if (desired.protectedUids.has(spec.uid)) continue;
    if (desiredKeys.has(`${spec.templateRef}/${spec.uid}`)) continue;
    const reason = !formNames.has(spec.templateRef)
      ? 'FormGone'
      : rowUids.has(spec.uid)
        ? 'Deactivated'
        : 'RowDeleted';
    candidates.push(deletion(node, spec, reason));
  }
  for (const node of duplicates) {
    const spec = specOf(node);
    if (spec && !desired.protectedUids.has(spec.uid))
      candidates.push(deletion(node, spec, 'Duplicate'));
  }
  candidates.sort((a, b) => compareCodePoints(a.name, b.name));
  if (candidates.length === 0) return;

  let heldBecause: string | undefined;
  if (desired.unidentifiedRows)
    heldBecause = `deletions held: the datasource reported rows without a usable uid, so this sync cannot tell which ${candidates.length} LynqNodes are really gone`;
  else {
    const guard = checkDeletionGuard({
      hub: input.hub,
      currentNodes: considered,
      deletions: candidates.length,
      sourceEmpty:
        input.fetch.ok && input.fetch.rows.length === 0 && input.fetch.problems.length === 0,
    });
    if (!guard.allowed) heldBecause = guard.reason;
  }
  if (heldBecause !== undefined) {
    plan.held = candidates.map((d) => ({ name: d.name, reason: heldBecause, deletion: d }));
    plan.events.push({
      type: 'Warning',
      reason: EventReasons.DeletionGuardHeld,
      message: heldBecause,
      regarding: hubRegarding(input.hub),
    });
    return;
  }
  plan.delete = candidates;
  for (const d of candidates) plan.events.push(nodeDeletingEvent(input.hub, d));
}
