import { Annotations } from '@lynq/api';
import { InvalidObjectError } from './errors.js';
import { isPlainObject, refOf, type KubeObject, type ObjectRef } from './object-ref.js';
import type { ResourceMapping } from './resource-path.js';

/** Fields the API server owns; sending them back would be refused or make the hash churn. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
] as const;

/** Checks the identifying fields of an object to apply and returns its ref. */
export function checkObjectShape(value: unknown): ObjectRef {
  if (!isPlainObject(value)) {
    throw new InvalidObjectError(
      refOf({}),
      '<root>',
      'expected a Kubernetes object (a JSON object)',
    );
  }
  const ref = refOf(value);
  if (typeof value['apiVersion'] !== 'string' || value['apiVersion'] === '') {
    throw new InvalidObjectError(ref, 'apiVersion', 'required, a non-empty string');
  }
  if (typeof value['kind'] !== 'string' || value['kind'] === '') {
    throw new InvalidObjectError(ref, 'kind', 'required, a non-empty string');
  }
  const metadata = value['metadata'];
  if (!isPlainObject(metadata))
    throw new InvalidObjectError(ref, 'metadata', 'required, an object');
  if (typeof metadata['name'] !== 'string' || metadata['name'] === '') {
    throw new InvalidObjectError(
      ref,
      'metadata.name',
      'required, a non-empty string (generateName is not supported: applies need a stable name)',
    );
  }
  if (metadata['namespace'] !== undefined && typeof metadata['namespace'] !== 'string') {
    throw new InvalidObjectError(ref, 'metadata.namespace', 'must be a string');
  }
  for (const key of ['labels', 'annotations'] as const) {
    const map = metadata[key];
    if (map === undefined) continue;
    if (!isPlainObject(map) || Object.values(map).some((v) => typeof v !== 'string')) {
      throw new InvalidObjectError(ref, `metadata.${key}`, 'must map strings to strings');
    }
  }
  return ref;
}

/**
 * A deep copy of `desired` ready to send: server-owned metadata and the apply bookkeeping
 * annotations removed, and no namespace on a cluster-scoped kind. A namespaced kind must name
 * its namespace.
 */
export function normalizeDesired(desired: KubeObject, mapping: ResourceMapping): KubeObject {
  const ref = refOf(desired);
  // A JSON round trip is the cheapest deep copy of plain JSON data in V8 (and drops undefined).
  const copy = JSON.parse(JSON.stringify(desired)) as KubeObject;
  const metadata = copy.metadata;
  for (const key of SERVER_METADATA) delete metadata[key];
  if (metadata.annotations !== undefined) {
    delete metadata.annotations[Annotations.AppliedHash];
    delete metadata.annotations[Annotations.ApplyStartTime];
  }
  if (!mapping.namespaced) {
    delete metadata.namespace;
  } else if (metadata.namespace === undefined || metadata.namespace === '') {
    throw new InvalidObjectError(
      ref,
      'metadata.namespace',
      `required: ${mapping.kind} (${mapping.apiVersion}) is namespaced`,
    );
  }
  return copy;
}

/** The same ref with the namespace dropped for cluster-scoped kinds. */
export function scopedRef(ref: ObjectRef, mapping: ResourceMapping): ObjectRef {
  if (mapping.namespaced) return ref;
  const { namespace: _ignored, ...clusterRef } = ref;
  return clusterRef;
}

/**
 * The object the Go operator would hash for `obj` (reference §5.4). Go hashes the object as its
 * renderer built it, before the API server drops anything, so two fields normalizeDesired removed
 * still count there: a template's `metadata.creationTimestamp` (kubectl writes
 * `creationTimestamp: null` into generated YAML), and the `metadata.namespace` Lynq's renderer
 * puts even on a cluster-scoped object such as a Namespace. Putting back what `desired` had of
 * them keeps the hash of an object the Go operator applied, so taking over writes nothing. The
 * other server-owned fields change on every write (resourceVersion, managedFields) and would make
 * the hash churn; a template that carries them cannot be applied by Go either.
 */
export function hashedView(obj: KubeObject, desired: KubeObject): KubeObject {
  const restored: Record<string, unknown> = {};
  const given = desired.metadata;
  if (Object.hasOwn(given, 'creationTimestamp') && given['creationTimestamp'] !== undefined)
    restored['creationTimestamp'] = given['creationTimestamp'];
  // Go's SetNamespace("") removes the field, so an empty namespace is no namespace there either.
  if (typeof given.namespace === 'string' && given.namespace !== '')
    restored['namespace'] = given.namespace;
  const missing = Object.keys(restored).filter((k) => !Object.hasOwn(obj.metadata, k));
  if (missing.length === 0) return obj;
  const metadata = { ...obj.metadata };
  for (const key of missing) metadata[key] = restored[key];
  return { ...obj, metadata };
}
