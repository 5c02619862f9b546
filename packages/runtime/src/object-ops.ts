// The few writes a controller makes on its own objects, as controller-runtime's controllerutil
// offers them: create, replace with optimistic concurrency, delete with a uid precondition,
// finalizers and a status write that never fights a concurrent spec change.
import { KubeApiError } from './errors.js';
import { resourcePath, type KubeObject, type ResourceType } from './resource.js';
import type { RestClient } from './rest-client.js';

const MERGE_PATCH = 'application/merge-patch+json';

function pathOf(type: ResourceType, obj: KubeObject, sub = ''): string {
  return resourcePath(type, obj.metadata.namespace, obj.metadata.name) + sub;
}

export const isNotFound = (err: unknown): boolean =>
  err instanceof KubeApiError && err.status === 404;

/** 409 of either kind: a stale resourceVersion (Conflict) or a name in use (AlreadyExists). */
export const isConflict = (err: unknown): boolean =>
  err instanceof KubeApiError && err.status === 409;

export const isAlreadyExists = (err: unknown): boolean =>
  isConflict(err) && (err as KubeApiError).reason === 'AlreadyExists';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

export function createObject<T extends KubeObject>(
  client: RestClient,
  type: ResourceType,
  obj: T,
  signal?: AbortSignal,
): Promise<T> {
  return client.request<T>({
    method: 'POST',
    path: resourcePath(type, obj.metadata.namespace),
    body: obj,
    signal,
  });
}

/** Replaces an object (PUT); its resourceVersion makes a stale write fail with 409. */
export function replaceObject<T extends KubeObject>(
  client: RestClient,
  type: ResourceType,
  obj: T,
  signal?: AbortSignal,
): Promise<T> {
  return client.request<T>({ method: 'PUT', path: pathOf(type, obj), body: obj, signal });
}

/**
 * Deletes an object in the background; with `uid`, only that incarnation (a new object that took
 * the name meanwhile answers 409 and is left alone).
 */
export async function deleteObject(
  client: RestClient,
  type: ResourceType,
  target: { namespace?: string; name: string; uid?: string },
  signal?: AbortSignal,
): Promise<void> {
  await client.request({
    method: 'DELETE',
    path: resourcePath(type, target.namespace, target.name),
    body: {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Background',
      ...(target.uid ? { preconditions: { uid: target.uid } } : {}),
    },
    signal,
  });
}

/**
 * Adds or removes a finalizer, with the object's resourceVersion as precondition so that a list
 * changed meanwhile is never overwritten (409: read again and retry).
 */
export function setFinalizer<T extends KubeObject>(
  client: RestClient,
  type: ResourceType,
  obj: T,
  finalizer: string,
  present: boolean,
  signal?: AbortSignal,
): Promise<T> {
  const others = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return client.request<T>({
    method: 'PATCH',
    path: pathOf(type, obj),
    contentType: MERGE_PATCH,
    body: {
      metadata: {
        resourceVersion: obj.metadata.resourceVersion,
        finalizers: present ? [...others, finalizer] : others,
      },
    },
    signal,
  });
}

/**
 * Writes the whole `status` through the status subresource as a merge patch against the status
 * the object has: top-level fields that went away are removed, and a concurrent spec or metadata
 * change cannot make it fail, unless `ifUnchanged`: then the write applies only to `obj`'s
 * resourceVersion (409 Conflict otherwise), for a writer that may no longer be the only one.
 */
export function patchStatus<T extends KubeObject>(
  client: RestClient,
  type: ResourceType,
  obj: T,
  status: object,
  signal?: AbortSignal,
  options: { ifUnchanged?: boolean } = {},
): Promise<T> {
  const patch: Record<string, unknown> = { ...status };
  const old = obj['status'];
  if (typeof old === 'object' && old !== null)
    for (const key of Object.keys(old)) if (!(key in patch)) patch[key] = null;
  const body: Record<string, unknown> = { status: patch };
  if (options.ifUnchanged === true)
    body['metadata'] = { resourceVersion: obj.metadata.resourceVersion ?? '' };
  return client.request<T>({
    method: 'PATCH',
    path: pathOf(type, obj, '/status'),
    contentType: MERGE_PATCH,
    body,
    signal,
  });
}
