// Go's encoding/json output for the values Lynq marshals into annotations, byte for byte, so
// that nodes written by the Go operator compare equal to ours.

/** Compares by Unicode code point, as Go compares the UTF-8 bytes of map keys. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

const HEX = '0123456789abcdef';

function unicodeEscape(code: number): string {
  return `\\u${HEX[(code >> 12) & 15]}${HEX[(code >> 8) & 15]}${HEX[(code >> 4) & 15]}${HEX[code & 15]}`;
}

/**
 * A JSON string as Go's json.Marshal writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped
 * (HTML-safe), `\b \f \n \r \t` short, other control characters as `\u00xx`, and text that is
 * not valid Unicode (a lone surrogate) as `\ufffd`.
 */
export function goJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else out += '\\ufffd';
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\\ufffd';
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x3c:
      case 0x3e:
      case 0x26:
      case 0x2028:
      case 0x2029:
        out += unicodeEscape(c);
        break;
      default:
        out += c < 0x20 ? unicodeEscape(c) : s[i]!;
    }
  }
  return `${out}"`;
}

/** Go's json.Marshal of a map[string]string: keys sorted, no spaces (the `lynq.sh/extra` annotation). */
export function goJsonStringMap(map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map).sort(compareCodePoints);
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonString(map[k] ?? '')}`).join(',')}}`;
}
