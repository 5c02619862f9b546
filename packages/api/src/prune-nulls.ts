/** The part of a structural schema that null pruning walks. */
export interface PruneSchema {
  nullable?: boolean;
  properties?: Record<string, PruneSchema>;
  additionalProperties?: PruneSchema | boolean;
  items?: PruneSchema;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own data property, also for `__proto__` (plain assignment would set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * What the API server does to a custom object before defaulting and validation: a `null` for a
 * field its structural schema declares (by name or through additionalProperties) and does not mark
 * `nullable` is removed, so `spec:` left empty in YAML means "no spec", and a `null` field with a
 * default gets the default. Unknown fields, list items and the insides of preserve-unknown-fields
 * objects keep their nulls. Returns a copy; the input is not modified.
 */
export function pruneNulls(value: unknown, schema: PruneSchema | undefined): unknown {
  if (schema === undefined) return value;
  if (Array.isArray(value)) {
    const items = schema.items;
    return items === undefined ? value : value.map((item) => pruneNulls(item, items));
  }
  if (!isRecord(value)) return value;
  const additional =
    typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  if (schema.properties === undefined && additional === undefined) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = value[key];
    const fieldSchema = Object.hasOwn(schema.properties ?? {}, key)
      ? schema.properties![key]
      : additional;
    if (field === null && fieldSchema !== undefined && fieldSchema.nullable !== true) continue;
    setOwn(out, key, pruneNulls(field, fieldSchema));
  }
  return out;
}
