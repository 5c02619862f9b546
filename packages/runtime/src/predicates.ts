import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from './resource.js';

/**
 * Filters events before they reach the queue. A missing method lets that kind of event through.
 * Applied per watch: `for(kind, { predicates })`, `owns(kind, { predicates })`.
 */
export interface Predicate<T extends KubeObject = KubeObject> {
  create?(obj: T): boolean;
  update?(oldObj: T, newObj: T): boolean;
  delete?(obj: T): boolean;
}

/** Updates pass only when metadata.generation changed (spec changes, for kinds with a status subresource). */
export function generationChanged<T extends KubeObject>(): Predicate<T> {
  return { update: (o, n) => o.metadata.generation !== n.metadata.generation };
}

/** Updates pass only when the labels changed. */
export function labelsChanged<T extends KubeObject>(): Predicate<T> {
  return { update: (o, n) => !isDeepStrictEqual(o.metadata.labels ?? {}, n.metadata.labels ?? {}) };
}

/** Updates pass only when the annotations changed. */
export function annotationsChanged<T extends KubeObject>(): Predicate<T> {
  return {
    update: (o, n) =>
      !isDeepStrictEqual(o.metadata.annotations ?? {}, n.metadata.annotations ?? {}),
  };
}

/** Updates pass only when the resourceVersion changed (drops no-op relist updates). */
export function resourceVersionChanged<T extends KubeObject>(): Predicate<T> {
  return { update: (o, n) => o.metadata.resourceVersion !== n.metadata.resourceVersion };
}

// Metadata that changes without anyone meaning to change the object.
const VOLATILE_METADATA = new Set(['resourceVersion', 'managedFields', 'generation']);

function withoutStatus(obj: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = obj;
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) if (!VOLATILE_METADATA.has(k)) meta[k] = v;
  return { ...rest, metadata: meta };
}

/**
 * Drops updates that only touched `.status` (and bookkeeping such as resourceVersion and
 * managedFields): the usual filter for a controller's own primary kind, which writes its status.
 * Updates pass when the generation, any other metadata (labels, annotations, finalizers, owners,
 * deletionTimestamp) or any other top-level field changed.
 */
export function ignoreStatusOnlyChanges<T extends KubeObject>(): Predicate<T> {
  return {
    update: (o, n) =>
      o.metadata.generation !== n.metadata.generation ||
      !isDeepStrictEqual(withoutStatus(o), withoutStatus(n)),
  };
}

/** Passes when every predicate passes. */
export function and<T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
  return {
    create: (obj) => ps.every((p) => p.create?.(obj) ?? true),
    update: (o, n) => ps.every((p) => p.update?.(o, n) ?? true),
    delete: (obj) => ps.every((p) => p.delete?.(obj) ?? true),
  };
}

/** Passes when any predicate passes. */
export function or<T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
  return {
    create: (obj) => ps.some((p) => p.create?.(obj) ?? true),
    update: (o, n) => ps.some((p) => p.update?.(o, n) ?? true),
    delete: (obj) => ps.some((p) => p.delete?.(obj) ?? true),
  };
}

/** Inverts a predicate (a missing method, which lets everything pass, then lets nothing pass). */
export function not<T extends KubeObject>(p: Predicate<T>): Predicate<T> {
  return {
    create: (obj) => !(p.create?.(obj) ?? true),
    update: (o, n) => !(p.update?.(o, n) ?? true),
    delete: (obj) => !(p.delete?.(obj) ?? true),
  };
}
