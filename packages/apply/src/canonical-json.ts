/**
 * JSON with object keys sorted (by UTF-16 code units) at every level, arrays kept in order and
 * `undefined` members dropped, as JSON.stringify would. Equal objects always give equal text, so
 * the text can be hashed.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

// String concatenation (V8 ropes) is cheaper here than collecting parts in an array.
function write(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not valid JSON`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not valid JSON`);
  }
  if (seen.has(value)) throw new TypeError('canonicalJson: circular structure');
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      // JSON.stringify writes undefined array slots as null
      out += write(item === undefined ? null : item, seen);
    }
    out += ']';
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError('canonicalJson: only plain objects, arrays and primitives are JSON data');
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out = '{';
    let first = true;
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      if (!first) out += ',';
      first = false;
      out += `${JSON.stringify(key)}:${write(member, seen)}`;
    }
    out += '}';
  }
  seen.delete(value);
  return out;
}
