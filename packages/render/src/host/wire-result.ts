// A node's FormRenderResult on the wire. What every render of a compiled form shares (ids, paths,
// dependencies, policies) is sent once per batch as a skeleton; each node then sends, per
// resource, only what it rendered, as a tuple: half the bytes to copy between processes.
// The host does not trust a render process (a template that took one over could answer
// anything), so decoding checks the shape callers will walk.
import type { ResourceListKey } from '@lynq/api';
import type {
  FormRenderResult,
  RenderedResource,
  ResourcePolicies,
  ResourceRenderError,
} from '../render-form.js';

export interface SkeletonResource {
  id: string;
  listKey: ResourceListKey;
  path: string;
  dependIds: string[];
  policies: Readonly<ResourcePolicies>;
}

/** name, namespace, apiVersion, kind, manifest, errors (JSON: null for undefined) */
export type WireResource = [
  string,
  string | null,
  string,
  string,
  RenderedResource['manifest'] | null,
  ResourceRenderError[],
];

export function skeletonOf(result: FormRenderResult): SkeletonResource[] {
  return result.resources.map((r) => ({
    id: r.id,
    listKey: r.listKey,
    path: r.path,
    dependIds: r.dependIds,
    policies: r.policies,
  }));
}

export function encodeResult(result: FormRenderResult): WireResource[] {
  return result.resources.map((r) => [
    r.name,
    r.namespace ?? null,
    r.apiVersion,
    r.kind,
    r.manifest ?? null,
    r.errors,
  ]);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

function isRenderError(e: unknown): e is ResourceRenderError {
  return (
    isObject(e) &&
    typeof e.resourceId === 'string' &&
    typeof e.path === 'string' &&
    (e.phase === 'parse' || e.phase === 'execute') &&
    typeof e.message === 'string'
  );
}

/** Checks a skeleton from a render process; undefined when it is malformed. */
export function checkSkeleton(v: unknown): SkeletonResource[] | undefined {
  if (!Array.isArray(v)) return undefined;
  for (const s of v)
    if (
      !isObject(s) ||
      typeof s.id !== 'string' ||
      typeof s.listKey !== 'string' ||
      typeof s.path !== 'string' ||
      !isStringArray(s.dependIds) ||
      !isObject(s.policies)
    )
      return undefined;
  // Shared by every result of the form, as in renderForm.
  for (const s of v as SkeletonResource[]) Object.freeze(s.policies);
  return v as SkeletonResource[];
}

/** Rebuilds a node's result; undefined when what the process sent is malformed. */
export function decodeResult(
  wire: unknown,
  skeleton: readonly SkeletonResource[],
): FormRenderResult | undefined {
  if (!Array.isArray(wire) || wire.length !== skeleton.length) return undefined;
  const resources: RenderedResource[] = new Array(wire.length);
  const errors: ResourceRenderError[] = [];
  for (let k = 0; k < wire.length; k++) {
    const w: unknown = wire[k];
    if (!Array.isArray(w) || w.length !== 6) return undefined;
    const [name, namespace, apiVersion, kind, manifest, errs] = w as unknown[];
    if (
      typeof name !== 'string' ||
      (namespace !== null && typeof namespace !== 'string') ||
      typeof apiVersion !== 'string' ||
      typeof kind !== 'string' ||
      (manifest !== null && !(isObject(manifest) && isObject(manifest.metadata))) ||
      !Array.isArray(errs) ||
      !errs.every(isRenderError)
    )
      return undefined;
    const s = skeleton[k]!;
    resources[k] = {
      id: s.id,
      listKey: s.listKey,
      path: s.path,
      apiVersion,
      kind,
      name,
      namespace: namespace ?? undefined,
      manifest: (manifest ?? undefined) as RenderedResource['manifest'],
      dependIds: [...s.dependIds],
      policies: s.policies,
      errors: errs,
    };
    for (const e of errs) errors.push(e);
  }
  return { resources, errors };
}
