import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints, goJsonString, goJsonStringMap } from './go-json.js';

describe('goJsonStringMap', () => {
  it('writes what Go 1.26 json.Marshal writes for a map[string]string', () => {
    // Expected text printed by Go's encoding/json for the same map (invalid UTF-8 there is a lone
    // surrogate here: both become \ufffd).
    const map = {
      b: '<x>&"\\',
      a: 'é\u2028\u2029',
      ctl: '\x00\x01\b\f\n\r\t\x1f\x7f',
      '\uffff': 'bmp-end',
      '😀': 'astral',
      Z: '',
      invalid: 'a\udc00b',
    };
    expect(goJsonStringMap(map)).toBe(
      '{"Z":"","a":"é\\u2028\\u2029","b":"\\u003cx\\u003e\\u0026\\"\\\\","ctl":"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\x7f","invalid":"a\\ufffdb","\uffff":"bmp-end","😀":"astral"}',
    );
  });

  it('writes {} for no extras', () => {
    expect(goJsonStringMap({})).toBe('{}');
  });

  it('is JSON that reads back to the same map (valid Unicode)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })),
        (map) => {
          expect(JSON.parse(goJsonStringMap(map))).toEqual(map);
        },
      ),
    );
  });

  it('escapes only what Go escapes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (s) => {
        const text = goJsonString(s);
        expect(JSON.parse(text)).toBe(s);
        expect(text).not.toMatch(/[<>&]/);
      }),
    );
  });
});

describe('compareCodePoints', () => {
  it('orders as UTF-8 bytes do', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a), Buffer.from(b));
        expect(Math.sign(compareCodePoints(a, b))).toBe(bytes);
      }),
    );
  });
});
