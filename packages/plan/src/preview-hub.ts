// What a hub or form change would do, before it lands (`lynq plan`, the SDK's previews): the hub
// plan as the hub controller computes it (nodes created, updated, deleted and why; deletions the
// guard holds, changes maxSkew paces), and for each node its objects as the node controller
// would render them, compared with what the node renders today. Pure: templates render in this
// process (trusted input only), and nothing is read or written.
import type { LynqForm, LynqNode } from '@lynq/api';
import { renderForm, type Manifest } from '@lynq/render';
import type { DesiredNode } from './desired-node.js';
import { desiredNodes } from './desired-nodes.js';
import { fieldDiff, type FieldChange } from './field-diff.js';
import type { DeleteReason } from './hub-events.js';
import type { UpdateReason } from './node-diff.js';
import { planHub, type HubPlan, type PlanHubInput } from './plan-hub.js';
import { planNode, type PlannedObject } from './plan-node.js';
import { renderDesiredNodes } from './render-desired.js';
import { objectIdentity, type ResourceKey, type ScopeOf } from './resource-key.js';

export interface PreviewHubInput extends Omit<PlanHubInput, 'rendered'> {
  /** Scope of each kind (discovery, or a guess offline: see `guessScope`). */
  scopeOf?: ScopeOf;
  /** Render `templateSyntax: nunjucks` forms (trusted forms only). */
  allowNunjucks?: boolean;
}

/** What happens to one object of a node. */
export interface ObjectPreview {
  id: string;
  key?: ResourceKey;
  /**
   * `create`: the node does not render it today. `change`: it renders differently (`changes`).
   * `unchanged`. `remove`: rendered today, no more (deleted or kept per `deletionPolicy`).
   * `error`: it cannot be rendered or applied (`error`).
   */
  action: 'create' | 'change' | 'unchanged' | 'remove' | 'error';
  /** The object the node controller would apply (create, change, unchanged). */
  manifest?: Manifest;
  /** Rendered today (change, unchanged, remove). */
  before?: Manifest;
  /** Field-level changes of `change`, before → after. */
  changes: FieldChange[];
  deletionPolicy?: string;
  error?: string;
}

export type NodeAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface NodePreview {
  name: string;
  form: string;
  uid: string;
  action: NodeAction;
  /** Why: update reasons, or the delete reason. */
  reasons: (UpdateReason | DeleteReason)[];
  /** The deletion guard holds this deletion: the sentence it says. */
  heldBy?: string;
  /** maxSkew leaves this change for a later sync. */
  throttled?: boolean;
  /** The node as the hub would write it (create, update). */
  node?: DesiredNode;
  objects: ObjectPreview[];
  /** Node-level problems (its variables, its dependency graph). */
  errors: string[];
}

export interface HubPreview {
  plan: HubPlan;
  /** Nodes with a change (including held and throttled ones), sorted by name. */
  nodes: NodePreview[];
  /** Names of the hub's nodes nothing changes. */
  unchanged: string[];
}

/** Offline scope of a kind: the well-known cluster-scoped kinds, every other kind namespaced. */
export const guessScope: ScopeOf = (apiVersion, kind) =>
  CLUSTER_KINDS.has(`${apiVersion.includes('/') ? apiVersion.split('/')[0] : ''}/${kind}`)
    ? 'Cluster'
    : 'Namespaced';

const CLUSTER_KINDS = new Set([
  '/Namespace',
  '/PersistentVolume',
  '/Node',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'scheduling.k8s.io/PriorityClass',
  'networking.k8s.io/IngressClass',
]);

interface NodeObjectsOutcome {
  objects: PlannedObject[];
  orphans: ResourceKey[];
  errors: string[];
}

/** A node's objects as the node controller would render them (no apply). */
export function renderNodeObjects(
  node: LynqNode,
  form: LynqForm | undefined,
  scopeOf: ScopeOf,
  allowNunjucks = false,
): NodeObjectsOutcome {
  const plan = planNode(node, form);
  if (!plan.ok) return { objects: [], orphans: [], errors: [plan.error.message] };
  const rendered = renderForm(plan.source, plan.variables, {
    namespace: plan.namespace,
    syntax: plan.syntax,
    allowNunjucks,
  });
  const objects = plan.objects(rendered, scopeOf);
  return { objects: objects.objects, orphans: objects.orphans, errors: [] };
}

const errorOf = (o: PlannedObject) =>
  o.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || 'not rendered';

/** Today's objects → tomorrow's: per object create / change / unchanged / remove / error. */
export function compareNodeObjects(
  before: readonly PlannedObject[],
  after: readonly PlannedObject[],
  orphans: readonly ResourceKey[] = [],
): ObjectPreview[] {
  const old = new Map<string, PlannedObject>();
  for (const o of before) if (o.key && o.manifest) old.set(objectIdentity(o.key), o);
  const out: ObjectPreview[] = [];
  const seen = new Set<string>();
  for (const o of after) {
    if (!o.key || !o.manifest || o.errors.length > 0) {
      out.push({
        id: o.id,
        action: 'error',
        changes: [],
        error: errorOf(o),
        ...(o.key ? { key: o.key } : {}),
      });
      continue;
    }
    const identity = objectIdentity(o.key);
    seen.add(identity);
    const was = old.get(identity);
    if (!was?.manifest) {
      out.push({ id: o.id, key: o.key, action: 'create', manifest: o.manifest, changes: [] });
      continue;
    }
    const changes = fieldDiff(was.manifest, o.manifest);
    out.push({
      id: o.id,
      key: o.key,
      action: changes.length > 0 ? 'change' : 'unchanged',
      manifest: o.manifest,
      before: was.manifest,
      changes,
    });
  }
  for (const [identity, o] of old) {
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push({
      id: o.id,
      key: o.key!,
      action: 'remove',
      before: o.manifest!,
      changes: [],
      deletionPolicy: o.policies.deletionPolicy,
    });
  }
  // Applied before (status) and rendered by neither: the node controller's orphans.
  for (const key of orphans) {
    if (seen.has(objectIdentity(key))) continue;
    seen.add(objectIdentity(key));
    out.push({ id: key.id, key, action: 'remove', changes: [] });
  }
  return out;
}

const nodeKey = (n: { spec?: { templateRef?: string; uid?: string } }) =>
  `${n.spec?.templateRef ?? ''}/${n.spec?.uid ?? ''}`;

/**
 * The hub plan for the given rows, forms and existing nodes, with each changed node's objects.
 * maxSkew and the deletion guard act as in the operator: held deletions and throttled changes
 * are listed with `heldBy` / `throttled` and their objects, so a user sees what waits.
 */
export function previewHub(input: PreviewHubInput): HubPreview {
  const scopeOf = input.scopeOf ?? guessScope;
  const allowNunjucks = input.allowNunjucks === true;
  const rows = input.fetch.ok ? input.fetch : { rows: [], problems: [] };
  const rendered = renderDesiredNodes(desiredNodes(input.hub, input.forms, rows), {
    allowNunjucks,
  });
  const plan = planHub({ ...input, rendered });
  // The same plan without maxSkew: the changes it leaves out are the throttled ones.
  const unpaced = planHub({
    ...input,
    rendered,
    forms: input.forms.map((f) =>
      f.spec.rollout?.maxSkew
        ? { ...f, spec: { ...f.spec, rollout: { ...f.spec.rollout, maxSkew: 0 } } }
        : f,
    ),
  });
  const formByName = new Map(input.forms.map((f) => [f.metadata.name ?? '', f]));
  const existingByName = new Map(input.existing.map((n) => [n.metadata.name ?? '', n]));
  const nodes: NodePreview[] = [];

  const created = new Set(plan.create.map((n) => n.metadata.name));
  for (const node of unpaced.create) {
    const form = formByName.get(node.spec.templateRef);
    const after = renderNodeObjects(node as LynqNode, form, scopeOf, allowNunjucks);
    nodes.push({
      name: node.metadata.name,
      form: node.spec.templateRef,
      uid: node.spec.uid,
      action: 'create',
      reasons: [],
      ...(created.has(node.metadata.name) ? {} : { throttled: true }),
      node,
      objects: compareNodeObjects([], after.objects),
      errors: after.errors,
    });
  }
  const updated = new Set(plan.update.map((u) => u.node.metadata.name));
  for (const update of unpaced.update) {
    const name = update.node.metadata.name;
    const form = formByName.get(update.node.spec.templateRef);
    const existing = existingByName.get(name);
    const before = existing
      ? renderNodeObjects(existing, form, scopeOf, allowNunjucks)
      : { objects: [], orphans: [], errors: [] };
    const after = renderNodeObjects(update.node as LynqNode, form, scopeOf, allowNunjucks);
    nodes.push({
      name,
      form: update.node.spec.templateRef,
      uid: update.node.spec.uid,
      action: 'update',
      reasons: update.reasons,
      ...(updated.has(name) ? {} : { throttled: true }),
      node: update.node,
      objects: compareNodeObjects(before.objects, after.objects, after.orphans),
      errors: after.errors,
    });
  }
  const deletions = [
    ...plan.delete.map((d) => ({ d, heldBy: undefined as string | undefined })),
    ...plan.held.map((h) => ({ d: h.deletion, heldBy: h.reason })),
  ];
  for (const { d, heldBy } of deletions) {
    const existing = existingByName.get(d.name);
    const before = existing
      ? renderNodeObjects(existing, formByName.get(d.form), scopeOf, allowNunjucks)
      : { objects: [], orphans: [], errors: [] };
    nodes.push({
      name: d.name,
      form: d.form,
      uid: d.rowUid,
      action: 'delete',
      reasons: [d.reason],
      ...(heldBy !== undefined ? { heldBy } : {}),
      objects: compareNodeObjects(before.objects, []),
      errors: [],
    });
  }
  nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const touched = new Set(nodes.map((n) => nodeKey({ spec: { templateRef: n.form, uid: n.uid } })));
  const unchanged = input.existing
    .filter((n) => !n.metadata.deletionTimestamp && !touched.has(nodeKey(n)))
    .map((n) => n.metadata.name ?? '')
    .sort();
  return { plan, nodes, unchanged };
}
