/** Where a kind lives in the REST API, from discovery. */
export interface ResourceMapping {
  apiVersion: string;
  /** `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  /** The plural resource name, e.g. `configmaps`. */
  resource: string;
  namespaced: boolean;
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

/**
 * The REST path of a collection (no name) or of one object. Cluster-scoped kinds never get a
 * namespace segment, whatever `namespace` says; a namespaced collection without a namespace is
 * the all-namespaces collection.
 */
export function resourcePath(
  mapping: Pick<ResourceMapping, 'group' | 'version' | 'resource' | 'namespaced'>,
  where: { namespace?: string | undefined; name?: string | undefined } = {},
): string {
  let path = groupVersionPath(mapping.group, mapping.version);
  if (mapping.namespaced && where.namespace !== undefined && where.namespace !== '') {
    path += `/namespaces/${encodeURIComponent(where.namespace)}`;
  }
  path += `/${encodeURIComponent(mapping.resource)}`;
  if (where.name !== undefined) path += `/${encodeURIComponent(where.name)}`;
  return path;
}
