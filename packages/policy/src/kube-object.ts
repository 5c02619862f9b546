import type { Condition } from '@lynq/api';

/** The parts of a Kubernetes object the policies read. Everything else passes through untouched. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `status.conditions` as a list of conditions, ignoring malformed entries. */
export function conditionsOf(obj: KubeObject | undefined): Condition[] {
  const list = obj?.status?.conditions;
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
