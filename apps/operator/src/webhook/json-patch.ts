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

/** The ops that turn `from` into `to`, both plain JSON data; `[]` when they are equal. */
export function jsonPatch(from: unknown, to: unknown, path = ''): JsonPatchOp[] {
  if (isObject(from) && isObject(to)) {
    const ops: JsonPatchOp[] = [];
    for (const key of Object.keys(from))
      if (!Object.hasOwn(to, key))
        ops.push({ op: 'remove', path: `${path}/${pointerSegment(key)}` });
    for (const [key, value] of Object.entries(to)) {
      const at = `${path}/${pointerSegment(key)}`;
      if (!Object.hasOwn(from, key)) ops.push({ op: 'add', path: at, value });
      else ops.push(...jsonPatch(from[key], value, at));
    }
    return ops;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length)
    return from.flatMap((item, i) => jsonPatch(item, to[i], `${path}/${i}`));
  return from === to ? [] : [{ op: 'replace', path, value: to }];
}
