import { InvalidOptionError } from './errors.js';

/** A Kubernetes object as the runtime handles it: plain JSON, unknown fields kept. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
  [field: string]: unknown;
}

/** Identifies a resource collection of the API: what to list and watch. */
export interface ResourceType {
  /** `v1` for the core group, otherwise `group/version`. */
  apiVersion: string;
  kind: string;
  /** The lower-case plural used in URLs, e.g. `configmaps`. */
  plural: string;
  namespaced: boolean;
}

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

/** A few built-in kinds; everything else: resourceType(). */
export const Kinds = {
  ConfigMap: resourceType('v1', 'ConfigMap', 'configmaps'),
  Secret: resourceType('v1', 'Secret', 'secrets'),
  Service: resourceType('v1', 'Service', 'services'),
  Pod: resourceType('v1', 'Pod', 'pods'),
  Namespace: resourceType('v1', 'Namespace', 'namespaces', false),
  ServiceAccount: resourceType('v1', 'ServiceAccount', 'serviceaccounts'),
  Deployment: resourceType('apps/v1', 'Deployment', 'deployments'),
  StatefulSet: resourceType('apps/v1', 'StatefulSet', 'statefulsets'),
  Job: resourceType('batch/v1', 'Job', 'jobs'),
  Lease: resourceType('coordination.k8s.io/v1', 'Lease', 'leases'),
  Event: resourceType('v1', 'Event', 'events'),
} as const;

/** The API group of an apiVersion (`''` for the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** URL path of a collection, or of one object when `name` is given. */
export function resourcePath(type: ResourceType, namespace?: string, name?: string): string {
  const base = type.apiVersion.includes('/')
    ? `/apis/${type.apiVersion}`
    : `/api/${type.apiVersion}`;
  const ns =
    type.namespaced && namespace !== undefined && namespace !== ''
      ? `/namespaces/${encodeURIComponent(namespace)}`
      : '';
  const one = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${type.plural}${one}`;
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
