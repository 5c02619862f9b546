import { z } from 'zod';

/** A map of strings without prototype: every key, `__proto__` and `constructor` included, is data. */
export type StringMap = Record<string, string>;

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A map of strings, `additionalProperties: {type: string}` in the CRD, parsed into an object
 * without prototype that keeps every own key. zod's z.record silently drops a `__proto__` key
 * (assigning it to a plain object would replace the prototype); here it stays an ordinary key, as
 * it is for the API server and for Go.
 */
export function stringMap(description: string) {
  const schema = z
    .unknown()
    .transform((input, ctx) => {
      if (!isPlainRecord(input)) {
        ctx.issues.push({ code: 'invalid_type', expected: 'object', input });
        return z.NEVER;
      }
      const out = Object.create(null) as StringMap;
      for (const key of Object.keys(input)) {
        const value = input[key];
        if (typeof value === 'string') out[key] = value;
        else
          ctx.issues.push({ code: 'invalid_type', expected: 'string', input: value, path: [key] });
      }
      return out;
    })
    .meta({ type: 'object', additionalProperties: { type: 'string' }, description });
  // The transform is typed unknown → StringMap; callers (and the …Input types) see the map shape.
  return schema as unknown as z.ZodType<StringMap, StringMap>;
}
