import { describe, expect, it } from 'vitest';
import { pruneNulls, type PruneSchema } from './prune-nulls.js';

const schema: PruneSchema = {
  properties: {
    a: {},
    kept: { nullable: true },
    map: { additionalProperties: {} },
    list: { items: { properties: { x: {} } } },
    body: {},
  },
};

describe('pruneNulls', () => {
  it('removes nulls of declared, non-nullable fields at every level', () => {
    expect(
      pruneNulls(
        { a: null, kept: null, map: { k: null, v: 'v' }, list: [{ x: null }, null], other: null },
        schema,
      ),
    ).toEqual({ kept: null, map: { v: 'v' }, list: [{}, null], other: null });
  });

  it('leaves objects without a schema for their fields as they are', () => {
    const body = { inner: null };
    expect(pruneNulls({ body }, schema)).toEqual({ body: { inner: null } });
  });

  it('keeps __proto__ as an own key of the copy', () => {
    const input = JSON.parse('{"map": {"__proto__": "p", "n": null}}') as unknown;
    const out = pruneNulls(input, schema) as { map: object };
    expect(Object.getOwnPropertyDescriptor(out.map, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(out.map)).toBe(Object.prototype);
    expect(Object.keys(out.map)).toEqual(['__proto__']);
  });
});
