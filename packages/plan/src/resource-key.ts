// Keys of the objects a node applies: the real apiVersion, group, scope and rendered namespace.
import type { AppliedResourceRef } from '@lynq/api';

/** One object a node applies. `namespace` is absent for cluster-scoped kinds. */
export interface ResourceKey {
  apiVersion: string;
  /** API group ('' for the core group). */
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The resource id in the form. */
  id: string;
}

/** Scope of a kind as discovery reports it; undefined when the API server does not serve it. */
export type ScopeOf = (apiVersion: string, kind: string) => 'Namespaced' | 'Cluster' | undefined;

/** The API group of an apiVersion: '' for `v1`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function resourceKey(fields: Omit<ResourceKey, 'group'>): ResourceKey {
  const key: ResourceKey = {
    apiVersion: fields.apiVersion,
    group: groupOf(fields.apiVersion),
    kind: fields.kind,
    name: fields.name,
    id: fields.id,
  };
  if (fields.namespace) key.namespace = fields.namespace;
  return key;
}

/** Identity of the object (group, kind, namespace, name): the version and the id do not matter. */
export function objectIdentity(
  key: Pick<ResourceKey, 'group' | 'kind' | 'namespace' | 'name'>,
): string {
  return `${key.group}\u0000${key.kind}\u0000${key.namespace ?? ''}\u0000${key.name}`;
}

/** Lynq's `status.appliedResources` entry: `Kind/namespace/name@id`, or `Kind/name@id` cluster-scoped. */
export function appliedResourceString(key: ResourceKey): string {
  return key.namespace
    ? `${key.kind}/${key.namespace}/${key.name}@${key.id}`
    : `${key.kind}/${key.name}@${key.id}`;
}

/** A `status.appliedResources` entry read back; undefined when it is not in that form. */
export interface AppliedResourceEntry {
  kind: string;
  namespace?: string;
  name: string;
  id: string;
}

/**
 * Parses `Kind/namespace/name@id` or `Kind/name@id`. Kinds, namespaces and names hold no '@', so
 * the id is everything after the first '@' (an id may contain '@', unlike Lynq's parser assumes).
 */
export function parseAppliedResource(entry: string): AppliedResourceEntry | undefined {
  const at = entry.indexOf('@');
  if (at < 0) return undefined;
  const id = entry.slice(at + 1);
  const parts = entry.slice(0, at).split('/');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 2) return { kind: parts[0]!, name: parts[1]!, id };
  if (parts.length === 3) return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]!, id };
  return undefined;
}

/** `status.appliedResourceRefs` entry of a key. */
export function toAppliedRef(key: ResourceKey): AppliedResourceRef {
  const ref: AppliedResourceRef = {
    apiVersion: key.apiVersion,
    kind: key.kind,
    name: key.name,
    id: key.id,
  };
  if (key.namespace) ref.namespace = key.namespace;
  return ref;
}

export function fromAppliedRef(ref: AppliedResourceRef): ResourceKey {
  return resourceKey({
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    name: ref.name,
    id: ref.id,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
  });
}
