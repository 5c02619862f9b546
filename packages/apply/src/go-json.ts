// The exact bytes Go's encoding/json.Marshal writes for JSON data held as Go's unstructured
// objects hold it (map[string]interface{}, []interface{}, string, int64, float64, bool, nil), so
// that `lynq.sh/applied-hash` values written by the Go operator and by this one agree.
//
// Where Go and JSON.stringify differ, and what is done about it:
// - Map keys: Go sorts them by their UTF-8 bytes (code point order); JS sorts UTF-16 code units,
//   which disagrees when a key has a character above U+FFFF and another one in U+E000–U+FFFF.
// - Strings: Go escapes < > & as \u003c \u003e \u0026 (HTML-safe), and U+2028/U+2029 as
//   \u2028/\u2029; JSON.stringify writes them raw. Both write \b \f \n \r \t \" \\ and \u00xx for
//   other control characters (lower-case hex).
// - Invalid UTF-16 (a lone surrogate): Go's strings hold UTF-8, and a lone surrogate escape in the
//   JSON Go decoded became U+FFFD; so a lone surrogate is written as U+FFFD (raw, as Go writes a
//   valid U+FFFD) instead of JSON.stringify's \udxxx escape. Two keys that differ only in lone
//   surrogates are one key in Go (the last wins); that cannot be reproduced.
// - Numbers: Go holds integers that fit int64 as int64 (exact digits) and everything else as
//   float64 (shortest round-trip digits; exponent form below 1e-6 and from 1e21 on, `e-7` not
//   `e-07`), which is JSON.stringify's format too. Two cases cannot agree because a JS number
//   cannot tell them apart: integers beyond ±2^53 (Go keeps every digit of an int64, JS rounds),
//   and a float -0 (Go writes `-0`; JS reads `-0` and `-0.0` alike, written here as `0` like
//   Go's int64 zero). A hash that differs costs one write, never a wrong skip.
// - Go has no undefined: undefined members are dropped and undefined array slots written as null,
//   as JSON.stringify does.

/** Go's json.Marshal of `value` (plain JSON data). Throws TypeError for anything else. */
export function goJson(value: unknown): string {
  return write(value, new Set());
}

// Characters whose encoding differs from JSON.stringify's: HTML-sensitive characters, the JS line
// terminators U+2028/U+2029, and any surrogate (a lone one must become U+FFFD).
const SPECIAL = /[<>&\u2028\u2029\ud800-\udfff]/;
const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A JSON string literal as Go's encoding/json writes it (with HTML escaping, its default). */
export function goJsonString(s: string): string {
  if (!SPECIAL.test(s)) return JSON.stringify(s);
  // JSON.stringify never writes < > & U+2028 U+2029 inside an escape sequence, so replacing them
  // in its output only touches the characters themselves.
  const wellFormed = s.replace(LONE_SURROGATE, '\ufffd');
  return JSON.stringify(wellFormed).replace(GO_ESCAPED, (ch) => GO_ESCAPES[ch] ?? ch);
}

// Keys at or above U+D800 (surrogates, and U+E000–U+FFFF) are where UTF-16 and UTF-8 order differ.
const HIGH = /[\ud800-\uffff]/;

/** Go's map key order: byte order of the UTF-8 encoding (a lone surrogate as U+FFFD). */
export function compareGoKeys(a: string, b: string): number {
  if (!HIGH.test(a) && !HIGH.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

// String concatenation (V8 ropes) is cheaper here than collecting parts in an array.
function write(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return goJsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`goJson: ${value} is not valid JSON`);
      // Shortest round-trip digits with exponents from 1e21 and below 1e-6: Go's float64 format
      // and its int64 format for the integers a double holds exactly; -0 is written as 0.
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`goJson: a ${typeof value} is not valid JSON`);
  }
  if (seen.has(value)) throw new TypeError('goJson: circular structure');
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += write(item === undefined ? null : item, seen);
    }
    out += ']';
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError('goJson: only plain objects, arrays and primitives are JSON data');
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(compareGoKeys);
    out = '{';
    let first = true;
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      if (!first) out += ',';
      first = false;
      out += `${goJsonString(key)}:${write(member, seen)}`;
    }
    out += '}';
  }
  seen.delete(value);
  return out;
}
