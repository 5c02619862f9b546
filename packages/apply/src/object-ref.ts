// A Kubernetes object, its metadata and owner references: @lynq/api's, the one definition of the
// project (the runtime re-exports the same).
export type { KubeObject, KubeObjectMeta, OwnerReference } from '@lynq/api';

/**
 * Names one object exactly. `apiVersion` is always explicit: nothing in this package infers it
 * from the kind. `namespace` is ignored for cluster-scoped kinds.
 */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** `Kind ns/name` or `Kind name`: how errors and logs name an object. */
export function describeRef(ref: ObjectRef): string {
  const where =
    ref.namespace !== undefined && ref.namespace !== '' ? `${ref.namespace}/${ref.name}` : ref.name;
  return `${ref.kind} ${where} (${ref.apiVersion})`;
}

/** The ref of an object; reads only the identifying fields and never throws. */
export function refOf(obj: {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown } | undefined;
}): ObjectRef {
  const ref: ObjectRef = {
    apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : '',
    kind: typeof obj.kind === 'string' ? obj.kind : '',
    name: typeof obj.metadata?.name === 'string' ? obj.metadata.name : '',
  };
  const namespace = obj.metadata?.namespace;
  if (typeof namespace === 'string' && namespace !== '') ref.namespace = namespace;
  return ref;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
