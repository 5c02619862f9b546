import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text for objects that differ only in key order', () => {
    const one = { metadata: { name: 'a', labels: { x: '1', y: '2' } }, data: { k: 'v' } };
    const two = { data: { k: 'v' }, metadata: { labels: { y: '2', x: '1' }, name: 'a' } };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('drops undefined members like JSON.stringify, and writes undefined array slots as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('escapes strings as JSON and keeps primitives', () => {
    expect(canonicalJson({ s: 'a"b\n', n: 1.5, t: true, z: null })).toBe(
      '{"n":1.5,"s":"a\\"b\\n","t":true,"z":null}',
    );
  });

  it('refuses what is not JSON data', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/not valid JSON/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/plain objects/);
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
  });

  it('accepts a repeated (non-circular) reference', () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
  });
});
