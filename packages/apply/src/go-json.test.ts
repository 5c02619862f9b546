// The bytes Go's json.Marshal writes (src/applied-hash.oracle.test.ts checks the same against Go).
import { describe, expect, it } from 'vitest';
import { compareGoKeys, goJson, goJsonString } from './go-json.js';

describe('goJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(goJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('sorts keys by their UTF-8 bytes, not by UTF-16 code units', () => {
    // U+FF01 is EF BC 81 in UTF-8 and sorts before U+1F600 (F0 9F 98 80); in UTF-16 the
    // emoji's surrogate D83D sorts first.
    expect(goJson({ '😀': 2, '\uff01': 1, a: 0 })).toBe('{"a":0,"\uff01":1,"😀":2}');
    expect(compareGoKeys('\uff01', '😀')).toBeLessThan(0);
    expect(compareGoKeys('b', 'a')).toBeGreaterThan(0);
    expect(compareGoKeys('ab', 'a')).toBeGreaterThan(0);
  });

  it('escapes < > & and U+2028/U+2029 like encoding/json, in values and keys', () => {
    expect(goJsonString('<a href="x">&</a>')).toBe(
      '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"',
    );
    expect(goJsonString('line\u2028para\u2029')).toBe('"line\\u2028para\\u2029"');
    expect(goJson({ '<k>': '&' })).toBe('{"\\u003ck\\u003e":"\\u0026"}');
  });

  it('writes control characters as Go does and DEL raw', () => {
    expect(goJsonString('\b\f\n\r\t\u0000\u001f\u007f"\\')).toBe(
      '"\\b\\f\\n\\r\\t\\u0000\\u001f\u007f\\"\\\\"',
    );
  });

  it('writes a lone surrogate as U+FFFD and keeps valid pairs raw', () => {
    expect(goJsonString('a\ud800b\udc00c😀')).toBe('"a\ufffdb\ufffdc😀"');
  });

  it('formats numbers as Go formats int64 and float64', () => {
    expect(goJson([1e21, 1e-7, 0.1, 1e-6, 1e20, 123.0, -0, 1.5e-10, 5e-324, 2 ** 53])).toBe(
      '[1e+21,1e-7,0.1,0.000001,100000000000000000000,123,0,1.5e-10,5e-324,9007199254740992]',
    );
  });

  it('keeps null, empty maps and empty lists, and drops undefined members', () => {
    expect(goJson({ n: null, m: {}, l: [], u: undefined, a: [undefined, 1] })).toBe(
      '{"a":[null,1],"l":[],"m":{},"n":null}',
    );
  });

  it('keeps __proto__ as an ordinary key', () => {
    expect(goJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('refuses what is not JSON data', () => {
    expect(() => goJson({ n: Number.NaN })).toThrow(/not valid JSON/);
    expect(() => goJson({ d: new Date(0) })).toThrow(/plain objects/);
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    expect(() => goJson(loop)).toThrow(/circular/);
  });

  it('accepts a repeated (non-circular) reference', () => {
    const shared = { a: 1 };
    expect(goJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
  });
});
