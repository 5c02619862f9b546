// RFC 6902 JSON Patch between two JSON values: what a mutating webhook returns to the API server.
// Defaulting only adds and replaces fields, but the diff is general: removed keys are removed,
// and arrays whose length changed are replaced whole (the API server applies ops in order).

export type JsonPatchOp =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** A JSON Pointer segment (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function pointerSegment(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The ops that turn `from` into `to`, both plain JSON data; `[]` when they are equal. Recursion
 * follows the documents' nesting (the webhook server refuses bodies nested past its limit); the
 * ops are collected in one list, never spread into a call (a form of thousands of resources has
 * hundreds of thousands of them).
 */
export function jsonPatch(from: unknown, to: unknown): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  diff(from, to, '', ops);
  return ops;
}

function diff(from: unknown, to: unknown, path: string, ops: JsonPatchOp[]): void {
  if (isObject(from) && isObject(to)) {
    for (const key of Object.keys(from))
      if (!Object.hasOwn(to, key))
        ops.push({ op: 'remove', path: `${path}/${pointerSegment(key)}` });
    for (const [key, value] of Object.entries(to)) {
      const at = `${path}/${pointerSegment(key)}`;
      if (!Object.hasOwn(from, key)) ops.push({ op: 'add', path: at, value });
      else diff(from[key], value, at, ops);
    }
    return;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    for (let i = 0; i < from.length; i++) diff(from[i], to[i], `${path}/${i}`, ops);
    return;
  }
  if (from !== to) ops.push({ op: 'replace', path, value: to });
}
