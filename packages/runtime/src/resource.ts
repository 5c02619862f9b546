import type { ResourceType } from '@lynq/api';
import { InvalidOptionError } from './errors.js';

// One definition of a Kubernetes object, its metadata and owner references for the project: in
// @lynq/api, re-exported here for the runtime's users.
export type { KubeObject, KubeObjectMeta, OwnerReference, ResourceType } from '@lynq/api';
export { Resources } from '@lynq/api';

/** Shorthand for a ResourceType. */
export function resourceType(
  apiVersion: string,
  kind: string,
  plural: string,
  namespaced = true,
): ResourceType {
  if (!/^[a-z0-9]+$/.test(plural)) {
    throw new InvalidOptionError('plural', `"${plural}" is not a lower-case resource name`);
  }
  return { apiVersion, kind, plural, namespaced };
}

/** The API group of an apiVersion (`''` for the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The REST path of a collection (no `name`) or of one object: `/api/v1/...` for the core group,
 * `/apis/<group>/<version>/...` otherwise. Cluster-scoped kinds never get a namespace segment,
 * whatever `namespace` says; a namespaced collection without a namespace is the all-namespaces
 * collection. Every segment is escaped. The one path builder of the project (@lynq/apply uses it).
 */
export function resourcePath(type: ResourceType, namespace?: string, name?: string): string {
  const base = type.apiVersion
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  const root = type.apiVersion.includes('/') ? `/apis/${base}` : `/api/${base}`;
  const ns =
    type.namespaced && namespace !== undefined && namespace !== ''
      ? `/namespaces/${encodeURIComponent(namespace)}`
      : '';
  const one = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  return `${root}${ns}/${encodeURIComponent(type.plural)}${one}`;
}

/** The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: { metadata?: { name?: string; namespace?: string } }): string {
  const name = obj.metadata?.name ?? '';
  const ns = obj.metadata?.namespace;
  return ns !== undefined && ns !== '' ? `${ns}/${name}` : name;
}

/** Splits a cache key back into namespace (undefined when cluster-scoped) and name. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
