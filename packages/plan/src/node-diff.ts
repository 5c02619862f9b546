// Whether an existing LynqNode differs from the hub's desired one, compared by value.
import {
  Annotations,
  Labels,
  RESOURCE_LIST_KEYS,
  applyFormDefaults,
  type LynqNode,
  type LynqNodeSpec,
} from '@lynq/api';
import type { DesiredNode } from './desired-node.js';
import { equalJson } from './equal.js';

/**
 * Why a node is updated. `template`: the form's generation changed. `data`: the row's activate
 * or hostOrUrl value changed (or the hub's labels/hubId on the node differ). `extras`: an extra
 * mapping's value changed. `spec`: the node's spec differs from what the form and row give.
 */
export type UpdateReason = 'template' | 'data' | 'extras' | 'spec';

const OPTIONAL_FIELDS = [
  'nameTemplate',
  'targetNamespace',
  'labelsTemplate',
  'annotationsTemplate',
  'dependIds',
  'ignoreFields',
  'readyWhen',
] as const;

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/**
 * A node spec in a canonical form for comparison: resource defaults filled (the API server
 * fills them on nodes), empty optional fields and lists dropped (Go omits them), and
 * templateSyntax `go` treated as absent.
 */
export function normalizeNodeSpec(spec: LynqNodeSpec | undefined): Record<string, unknown> {
  if (spec === undefined) return {};
  // Defaults come from @lynq/api; the bodies are left out of its deep copy and put back as they
  // are (compared, never changed), which keeps a sync of thousands of nodes cheap.
  const bodies = new Map<string, unknown[]>();
  const light: Record<string, unknown> = { ...spec };
  for (const key of RESOURCE_LIST_KEYS) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    bodies.set(
      key,
      list.map((r) => r.spec),
    );
    light[key] = list.map((r) => ({ ...r, spec: undefined }));
  }
  const out = applyFormDefaults({ spec: light }).spec;
  if (out.templateSyntax === 'go') delete out.templateSyntax;
  for (const key of RESOURCE_LIST_KEYS) {
    const list = out[key];
    if (!Array.isArray(list)) continue;
    if (list.length === 0) {
      delete out[key];
      continue;
    }
    const specs = bodies.get(key) ?? [];
    (list as Record<string, unknown>[]).forEach((resource, i) => {
      resource.spec = specs[i];
      for (const field of OPTIONAL_FIELDS) if (isEmpty(resource[field])) delete resource[field];
    });
  }
  return out;
}

function parseExtras(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text === '' || text === 'null') return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The `lynq.sh/extra` values compared by value (key order and JSON spelling do not matter). */
export function equalExtras(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  const x = parseExtras(a);
  const y = parseExtras(b);
  return x !== undefined && y !== undefined && equalJson(x, y);
}

/**
 * The reasons to update `existing` to `desired`, in a fixed order; empty when nothing that the
 * hub owns differs (`rollout-update-start` is not compared: it changes only with an update).
 * A hostOrUrl annotation that is "" counts as absent: the Go operator writes "" when the hub has
 * no hostOrUrl mapping, and such nodes must not all be rewritten when we take over.
 */
export function updateReasons(existing: LynqNode, desired: DesiredNode): UpdateReason[] {
  const have = existing.metadata.annotations ?? {};
  const want = desired.metadata.annotations;
  const labels = existing.metadata.labels ?? {};
  const reasons: UpdateReason[] = [];
  if (have[Annotations.TemplateGeneration] !== want[Annotations.TemplateGeneration])
    reasons.push('template');
  const wantHost = want[Annotations.HostOrUrl];
  const haveHost = have[Annotations.HostOrUrl];
  const hostDiffers =
    wantHost === undefined ? haveHost !== undefined && haveHost !== '' : haveHost !== wantHost;
  if (
    hostDiffers ||
    have[Annotations.Activate] !== want[Annotations.Activate] ||
    have[Annotations.HubId] !== want[Annotations.HubId] ||
    labels[Labels.Hub] !== desired.metadata.labels[Labels.Hub] ||
    labels[Labels.Uid] !== desired.metadata.labels[Labels.Uid]
  )
    reasons.push('data');
  if (!equalExtras(have[Annotations.Extra], want[Annotations.Extra])) reasons.push('extras');
  // Nodes this operator wrote match as they are; only others (the Go operator's, hand-edited
  // ones) need the canonical form.
  if (
    !equalJson(existing.spec, desired.spec) &&
    !equalJson(normalizeNodeSpec(existing.spec), normalizeNodeSpec(desired.spec))
  )
    reasons.push('spec');
  return reasons;
}

/**
 * The object to write for an update: the existing node (name, uid, resourceVersion, finalizers,
 * other labels and annotations kept) with the hub's labels, annotations and spec; a stale
 * hostOrUrl annotation removed; the hub's ownerReference added when missing. No status and no
 * managedFields.
 */
export function updatedNode(existing: LynqNode, desired: DesiredNode): DesiredNode {
  const { managedFields: _managed, ...meta } = existing.metadata as LynqNode['metadata'] & {
    managedFields?: unknown;
  };
  const annotations: Record<string, string> = { ...(existing.metadata.annotations ?? {}) };
  if (desired.metadata.annotations[Annotations.HostOrUrl] === undefined)
    delete annotations[Annotations.HostOrUrl];
  Object.assign(annotations, desired.metadata.annotations);
  const labels: Record<string, string> = {
    ...(existing.metadata.labels ?? {}),
    ...desired.metadata.labels,
  };
  const metadata: DesiredNode['metadata'] = {
    ...meta,
    name: existing.metadata.name ?? desired.metadata.name,
    namespace: existing.metadata.namespace ?? desired.metadata.namespace,
    labels,
    annotations,
  };
  const owner = desired.metadata.ownerReferences?.[0];
  const refs = [...(existing.metadata.ownerReferences ?? [])];
  if (owner && !refs.some((r) => r.uid === owner.uid)) {
    const hasController = refs.some((r) => r.controller === true);
    refs.push(hasController ? { ...owner, controller: false } : owner);
  }
  if (refs.length > 0) metadata.ownerReferences = refs;
  return { apiVersion: desired.apiVersion, kind: desired.kind, metadata, spec: desired.spec };
}
