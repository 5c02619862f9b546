import { isPlainObject } from './kube-object.js';
import { checkJsonPath, queryJsonPath, type JsonPathMatch } from './json-path.js';

/** What one ignoreFields path did to the desired object. */
export interface IgnoredField {
  path: string;
  /** copied: live values kept; removed: live lacks it, so desired drops it; none: matched nothing. */
  action: 'copied' | 'removed' | 'none';
  /** The pointers written or removed in the desired object, e.g. `/spec/replicas`. */
  pointers: string[];
}

export interface IgnoreFieldsResult<T> {
  /** A new desired object; the input is not modified. */
  object: T;
  fields: IgnoredField[];
}

/**
 * Keeps the fields named by `paths` as they are in the live object, so the next write does not
 * fight whoever changes them (an HPA owning `replicas`, a person editing an annotation). For each
 * path, in order:
 * - live has matches: every match in desired takes the live value at the same location, or else
 *   the first live match; when desired has no match, the first live match is written at its live
 *   location (creating missing parent objects);
 * - live has no match: every match is removed from desired, so the field is left unmanaged;
 * - neither has a match: nothing happens.
 * Lynq (Go) gives every desired match the first live match; keeping per-location values instead
 * avoids, for example, setting every container's image to the first container's.
 * Paths are expected to be valid (see checkJsonPath); an invalid one simply matches nothing.
 */
export function applyIgnoreFields<T extends object>(
  desired: T,
  live: object,
  paths: readonly string[],
): IgnoreFieldsResult<T> {
  const object = structuredClone(desired);
  const fields: IgnoredField[] = [];
  for (const path of paths) {
    if (checkJsonPath(path) !== undefined) {
      fields.push({ path, action: 'none', pointers: [] });
      continue;
    }
    const liveMatches = queryJsonPath(path, live);
    const desiredMatches = queryJsonPath(path, object);
    const first = liveMatches[0];
    if (first === undefined) {
      if (desiredMatches.length === 0) {
        fields.push({ path, action: 'none', pointers: [] });
        continue;
      }
      removeAll(object, desiredMatches);
      fields.push({
        path,
        action: 'removed',
        pointers: desiredMatches.map((m) => formatPointer(m.pointer)),
      });
      continue;
    }
    const byPointer = new Map(liveMatches.map((m) => [formatPointer(m.pointer), m.value]));
    const written: string[] = [];
    if (desiredMatches.length > 0) {
      for (const m of desiredMatches) {
        const key = formatPointer(m.pointer);
        const value = byPointer.has(key) ? byPointer.get(key) : first.value;
        if (setAt(object, m.pointer, structuredClone(value))) written.push(key);
      }
    } else if (setAt(object, first.pointer, structuredClone(first.value), true)) {
      written.push(formatPointer(first.pointer));
    }
    fields.push({ path, action: written.length > 0 ? 'copied' : 'none', pointers: written });
  }
  return { object, fields };
}

function formatPointer(pointer: readonly string[]): string {
  return pointer.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

type Container = Record<string, unknown> | unknown[];

function childOf(parent: Container, key: string): unknown {
  return Array.isArray(parent) ? parent[Number(key)] : parent[key];
}

/** Sets the value at a pointer; `create` makes missing parent objects (never array elements). */
function setAt(root: object, pointer: readonly string[], value: unknown, create = false): boolean {
  if (pointer.length === 0) return false;
  let parent = root as Container;
  for (const key of pointer.slice(0, -1)) {
    let next = childOf(parent, key);
    if (next === undefined && create && isPlainObject(parent)) {
      next = {};
      parent[key] = next;
    }
    if (!isPlainObject(next) && !Array.isArray(next)) return false;
    parent = next;
  }
  const last = pointer[pointer.length - 1] as string;
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) return false;
    parent[index] = value;
  } else {
    parent[last] = value;
  }
  return true;
}

/**
 * Removes every match. Deepest first, and within an array highest index first, so the pointers
 * still to be removed stay valid.
 */
function removeAll(root: object, matches: readonly JsonPathMatch[]): void {
  const lastIndex = (m: JsonPathMatch) => Number(m.pointer[m.pointer.length - 1]);
  const sorted = [...matches].sort(
    (a, b) => b.pointer.length - a.pointer.length || lastIndex(b) - lastIndex(a) || 0,
  );
  for (const m of sorted) {
    if (m.pointer.length === 0) continue;
    let parent: unknown = root;
    for (const key of m.pointer.slice(0, -1)) {
      parent = isPlainObject(parent) || Array.isArray(parent) ? childOf(parent, key) : undefined;
    }
    const last = m.pointer[m.pointer.length - 1] as string;
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else if (isPlainObject(parent)) delete parent[last];
  }
}
