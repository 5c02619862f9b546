// The operator's few raw API calls on Lynq objects: status and finalizer patches, node writes.
// Everything goes through the one RestClient, and every call takes the reconcile's signal.
import { API_VERSION, Kinds, Plurals } from '@lynq/api';
import {
  KubeApiError,
  resourcePath,
  resourceType,
  type KubeObject,
  type RestClient,
} from '@lynq/runtime';

export const HubType = resourceType(API_VERSION, Kinds.Hub, Plurals.Hub);
export const FormType = resourceType(API_VERSION, Kinds.Form, Plurals.Form);
export const NodeType = resourceType(API_VERSION, Kinds.Node, Plurals.Node);
export type LynqType = typeof HubType;

const MERGE_PATCH = 'application/merge-patch+json';

function pathOf(type: LynqType, obj: KubeObject, sub = ''): string {
  return resourcePath(type, obj.metadata.namespace, obj.metadata.name) + sub;
}

/**
 * Writes `status` to the status subresource as a merge patch computed against the status the
 * object has, so that fields that went away are removed (null) and a concurrent spec change does
 * not make it fail.
 */
export async function patchStatus(
  client: RestClient,
  type: LynqType,
  obj: KubeObject,
  status: object,
  signal: AbortSignal,
): Promise<KubeObject> {
  const old = (obj['status'] ?? {}) as Record<string, unknown>;
  const patch: Record<string, unknown> = { ...status };
  for (const key of Object.keys(old)) if (!(key in patch)) patch[key] = null;
  return client.request<KubeObject>({
    method: 'PATCH',
    path: pathOf(type, obj, '/status'),
    contentType: MERGE_PATCH,
    body: { status: patch },
    signal,
  });
}

/**
 * Adds or removes a finalizer with the object's resourceVersion as precondition, so a list that
 * changed meanwhile is never overwritten (409, and the reconcile retries).
 */
export async function setFinalizer(
  client: RestClient,
  type: LynqType,
  obj: KubeObject,
  finalizer: string,
  present: boolean,
  signal: AbortSignal,
): Promise<KubeObject> {
  const current = obj.metadata.finalizers ?? [];
  const finalizers = present
    ? [...current.filter((f) => f !== finalizer), finalizer]
    : current.filter((f) => f !== finalizer);
  return client.request<KubeObject>({
    method: 'PATCH',
    path: pathOf(type, obj),
    contentType: MERGE_PATCH,
    body: { metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers } },
    signal,
  });
}

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason === 'AlreadyExists';
}

export async function createObject(
  client: RestClient,
  type: LynqType,
  obj: KubeObject,
  signal: AbortSignal,
): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: 'POST',
    path: resourcePath(type, obj.metadata.namespace),
    body: obj,
    signal,
  });
}

/** Replaces an object; its resourceVersion makes a stale write fail with 409. */
export async function updateObject(
  client: RestClient,
  type: LynqType,
  obj: KubeObject,
  signal: AbortSignal,
): Promise<KubeObject> {
  return client.request<KubeObject>({ method: 'PUT', path: pathOf(type, obj), body: obj, signal });
}

/** Deletes the object with this uid only (a recreated object of the same name is left alone). */
export async function deleteObject(
  client: RestClient,
  type: LynqType,
  target: { namespace: string; name: string; uid?: string },
  signal: AbortSignal,
): Promise<void> {
  await client.request({
    method: 'DELETE',
    path: resourcePath(type, target.namespace, target.name),
    body: {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      ...(target.uid ? { preconditions: { uid: target.uid } } : {}),
    },
    signal,
  });
}
