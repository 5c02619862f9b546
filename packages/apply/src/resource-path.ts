import type { ResourceType } from '@lynq/api';

/**
 * Where a kind lives in the REST API, from discovery: a ResourceType (so @lynq/runtime's
 * `resourcePath(mapping, namespace, name)` addresses it) with its group and version apart.
 */
export interface ResourceMapping extends ResourceType {
  /** `''` for the core group. */
  readonly group: string;
  readonly version: string;
}

/** Splits `apps/v1` into group `apps` and version `v1`; `v1` is the core group. */
export function parseApiVersion(
  apiVersion: string,
): { group: string; version: string } | undefined {
  const parts = apiVersion.split('/');
  if (parts.length === 1 && parts[0] !== '') return { group: '', version: parts[0] ?? '' };
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') {
    return { group: parts[0] ?? '', version: parts[1] ?? '' };
  }
  return undefined;
}

/** The discovery path of a group version: `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(group: string, version: string): string {
  return group === ''
    ? `/api/${encodeURIComponent(version)}`
    : `/apis/${encodeURIComponent(group)}/${encodeURIComponent(version)}`;
}
