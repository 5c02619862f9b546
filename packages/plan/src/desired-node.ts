// The LynqNode object the hub wants for one entry (reference §1.7, §3.1 steps 8–9).
import {
  API_VERSION,
  Annotations,
  Kinds,
  Labels,
  RESOURCE_LIST_KEYS,
  listResources,
  type LynqForm,
  type LynqHub,
  type LynqNode,
  type LynqNodeSpec,
  type OwnerReference,
  type TResource,
} from '@lynq/api';
import type { DesiredEntry } from './desired-nodes.js';
import { goJsonStringMap } from './go-json.js';
import type { HubRenderedFields } from './hub-render-source.js';
import { hubLabelValue, uidLabelValue } from './node-name.js';
import { rfc3339 } from './time.js';

/** A LynqNode as the hub creates or updates it: metadata and spec, no status. */
export type DesiredNode = LynqNode & {
  metadata: LynqNode['metadata'] & {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: LynqNodeSpec;
};

/** The controller ownerReference of a hub's nodes (absent when the hub has no uid yet). */
export function hubOwnerReference(hub: LynqHub): OwnerReference | undefined {
  if (!hub.metadata.uid) return undefined;
  return {
    apiVersion: API_VERSION,
    kind: Kinds.Hub,
    name: hub.metadata.name ?? '',
    uid: hub.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** `lynq.sh/template-generation` of a form. */
export function templateGeneration(form: LynqForm): string {
  return String(form.metadata.generation ?? 0);
}

/**
 * The node's spec: uid, templateRef and the form's resources with the hub-rendered name, labels
 * and annotations (spec bodies and targetNamespace unrendered). `templateSyntax` is copied only
 * when it is not `go`, so nodes the Go operator wrote compare equal.
 */
export function desiredNodeSpec(
  form: LynqForm,
  uid: string,
  fields: readonly HubRenderedFields[],
): LynqNodeSpec {
  const spec: LynqNodeSpec = { uid, templateRef: form.metadata.name ?? '' };
  if (form.spec.templateSyntax && form.spec.templateSyntax !== 'go')
    spec.templateSyntax = form.spec.templateSyntax;
  let index = 0;
  const rendered = new Map<TResource, HubRenderedFields>();
  for (const { resource } of listResources(form.spec))
    rendered.set(resource, fields[index++] ?? {});
  for (const key of RESOURCE_LIST_KEYS) {
    const list = form.spec[key];
    if (!Array.isArray(list) || list.length === 0) continue;
    spec[key] = list.map((resource) => {
      // Shallow: the body is shared with the form (planHub copies what it returns).
      const out: TResource = { ...resource };
      const f = rendered.get(resource) ?? {};
      if (f.nameTemplate !== undefined) out.nameTemplate = f.nameTemplate;
      if (f.labelsTemplate !== undefined) out.labelsTemplate = f.labelsTemplate;
      if (f.annotationsTemplate !== undefined) out.annotationsTemplate = f.annotationsTemplate;
      return out;
    });
  }
  return spec;
}

/** The annotations the hub writes on a node (reference §1.7). */
export function desiredNodeAnnotations(
  hub: LynqHub,
  form: LynqForm,
  entry: DesiredEntry,
  now: Date,
): Record<string, string> {
  const annotations: Record<string, string> = {};
  // Only when the deprecated mapping is set: the node then knows .hostOrUrl exists (§13 item 9).
  if (entry.row.hostOrUrl !== undefined) annotations[Annotations.HostOrUrl] = entry.row.hostOrUrl;
  annotations[Annotations.Activate] = entry.row.activate;
  annotations[Annotations.Extra] = goJsonStringMap(entry.row.extras);
  annotations[Annotations.TemplateGeneration] = templateGeneration(form);
  annotations[Annotations.HubId] = hub.metadata.name ?? '';
  annotations[Annotations.RolloutUpdateStart] = rfc3339(now);
  return annotations;
}

/** The full LynqNode for an entry, named `name`. */
export function buildDesiredNode(
  hub: LynqHub,
  form: LynqForm,
  entry: DesiredEntry,
  fields: readonly HubRenderedFields[],
  name: string,
  now: Date,
): DesiredNode {
  const metadata: DesiredNode['metadata'] = {
    name,
    namespace: entry.namespace,
    labels: {
      [Labels.Hub]: hubLabelValue(hub.metadata.name ?? ''),
      [Labels.Uid]: uidLabelValue(entry.uid),
    },
    annotations: desiredNodeAnnotations(hub, form, entry, now),
  };
  const owner = hubOwnerReference(hub);
  if (owner) metadata.ownerReferences = [owner];
  return {
    apiVersion: API_VERSION,
    kind: Kinds.Node,
    metadata,
    spec: desiredNodeSpec(form, entry.uid, fields),
  };
}
