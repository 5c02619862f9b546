import type { Condition } from '@lynq/api';

// The policies read any Kubernetes object: @lynq/api's KubeObject, the one definition of the
// project. Everything they do not read passes through untouched.
import type { KubeObject } from '@lynq/api';
export type { KubeObject };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `spec` when it is an object, else undefined. KubeObject types spec as unknown (kinds define it
 * as they like); the policies read it field by field, checking each.
 */
export function specOf(obj: KubeObject | undefined): Record<string, unknown> | undefined {
  const spec = obj?.['spec'];
  return isPlainObject(spec) ? spec : undefined;
}

/** `status` when it is an object, else undefined (see specOf). */
export function statusOf(obj: KubeObject | undefined): Record<string, unknown> | undefined {
  const status = obj?.['status'];
  return isPlainObject(status) ? status : undefined;
}

/** `status.conditions` as a list of conditions, ignoring malformed entries. */
export function conditionsOf(obj: KubeObject | undefined): Condition[] {
  const list = statusOf(obj)?.['conditions'];
  if (!Array.isArray(list)) return [];
  return list.filter(
    (c): c is Condition =>
      isPlainObject(c) && typeof c.type === 'string' && typeof c.status === 'string',
  );
}

export function findCondition(
  conditions: readonly Condition[],
  type: string,
): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

/** The API group of an apiVersion: '' for the core group (`v1`). */
export function groupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `Deployment ns/name`, for messages. */
export function describeKubeObject(obj: KubeObject): string {
  const { namespace, name } = obj.metadata ?? {};
  return `${obj.kind ?? 'object'} ${namespace ? `${namespace}/` : ''}${name ?? '<unnamed>'}`;
}
