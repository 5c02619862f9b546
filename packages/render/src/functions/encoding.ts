// Encoding functions: base64, Go's encoding/json output, Helm's toYaml/fromYaml, hashes.
import { hash } from 'node:crypto';
import { parse as parseYamlText } from 'yaml';
import { formatGoTime } from '../go/time.js';
import { RenderBudgetError } from '../budget.js';
import {
  Float64,
  GoTime,
  Int64,
  formatFloat,
  isGoMap,
  newMap,
  numberOf,
  setEntry,
  type GoMap,
} from '../go/values.js';
import { byteLength } from './strings.js';
import { Meter, checkPrintedSize, checkSize, defaultMeter, meter, tooLarge } from './limits.js';
import { FunctionError, def, type CallContext, type GoFunction } from './types.js';
import { checkYamlNesting } from './yaml-depth.js';

/** Functions that turn errors into results (as Sprig does) still let budget errors through. */
function rethrowBudget(err: unknown): void {
  if (err instanceof RenderBudgetError) throw err;
}

const enc = new TextEncoder();

/** base64.StdEncoding.DecodeString; on error, Go's error text (Sprig returns it as the result). */
export function b64decode(s: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const stripped = s.replace(/[\r\n]/g, '');
  for (let i = 0; i < stripped.length; i += 4) {
    const q = stripped.slice(i, i + 4);
    for (let j = 0; j < q.length; j++) {
      const ch = q[j]!;
      if (ch === '=') {
        if (j < 2 || (j === 2 && q[3] !== '=') || i + 4 < stripped.length)
          return `illegal base64 data at input byte ${i + j}`;
        break;
      }
      if (!alphabet.includes(ch)) return `illegal base64 data at input byte ${i + j}`;
    }
    if (q.length < 4) return `illegal base64 data at input byte ${i}`;
  }
  return Buffer.from(stripped, 'base64').toString('utf8');
}

// What encoding/json escapes: quotes, backslashes, control characters, U+2028/U+2029, lone
// surrogates (invalid UTF-8 in Go, written as U+FFFD) and, for toJson, < > &.
const LONE_SURROGATE =
  '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const JSON_ESCAPES = new RegExp(`["\\\\\\u0000-\\u001f\\u2028\\u2029]|${LONE_SURROGATE}`, 'g');
const JSON_ESCAPES_HTML = new RegExp(
  `["\\\\\\u0000-\\u001f\\u2028\\u2029<>&]|${LONE_SURROGATE}`,
  'g',
);

function jsonEscape(ch: string): string {
  switch (ch) {
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\b':
      return '\\b';
    case '\f':
      return '\\f';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  const c = ch.charCodeAt(0);
  if (c >= 0xd800 && c <= 0xdfff) return '\ufffd';
  return `\\u${c.toString(16).padStart(4, '0')}`;
}

/** A JSON string literal as encoding/json writes it (a native scan, not a loop per character). */
function jsonString(s: string, escapeHTML: boolean): string {
  return `"${s.replace(escapeHTML ? JSON_ESCAPES_HTML : JSON_ESCAPES, jsonEscape)}"`;
}

/** encoding/json's float64 format. */
function jsonFloat(f: number): string {
  if (!Number.isFinite(f))
    throw new FunctionError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    return formatFloat(f, 'e', -1).replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return formatFloat(f, 'f', -1);
}

/**
 * json.Marshal / MarshalIndent(v, "", "  ") of a Go value. The meter counts the text as it is
 * written, so a structure that shares its parts many times over stops at the value limit.
 */
export function goJson(
  v: unknown,
  escapeHTML: boolean,
  indent = '',
  m: Meter = defaultMeter('toJson'),
): string {
  if (typeof v === 'string' && v.length + 2 > m.remaining)
    throw tooLarge(m.limits, m.what, v.length + 2, 'characters or more');
  checkPrintedSize(v, m);
  const w = new JsonWriter(escapeHTML, indent, m);
  w.write(v, 0);
  return w.out.join('');
}

class JsonWriter {
  readonly out: string[] = [];
  constructor(
    private readonly escapeHTML: boolean,
    private readonly indent: string,
    private readonly m: Meter,
  ) {}

  private put(s: string): void {
    this.m.add(s.length);
    this.out.push(s);
  }

  write(x: unknown, depth: number): void {
    const { escapeHTML, indent, m } = this;
    if (x === null || x === undefined) return this.put('null');
    if (typeof x === 'string') return this.put(jsonString(x, escapeHTML));
    if (typeof x === 'boolean') return this.put(String(x));
    if (typeof x === 'number' || x instanceof Int64) return this.put(String(numberOf(x)));
    if (x instanceof Float64) return this.put(jsonFloat(x.value));
    if (x instanceof GoTime)
      return this.put(
        jsonString(formatGoTime(x, '2006-01-02T15:04:05.999999999Z07:00'), escapeHTML),
      );
    const nl = indent ? `\n${indent.repeat(depth + 1)}` : '';
    const end = indent ? `\n${indent.repeat(depth)}` : '';
    if (Array.isArray(x)) {
      if (x.length === 0) return this.put('[]');
      m.enter();
      this.put('[');
      for (let i = 0; i < x.length; i++) {
        this.put(i ? `,${nl}` : nl);
        this.write(x[i], depth + 1);
      }
      this.put(`${end}]`);
      m.leave();
      return;
    }
    if (isGoMap(x)) {
      const keys = Object.keys(x).sort();
      if (keys.length === 0) return this.put('{}');
      m.enter();
      this.put('{');
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        this.put(`${i ? ',' : ''}${nl}${jsonString(k, escapeHTML)}${indent ? ': ' : ':'}`);
        this.write(x[k], depth + 1);
      }
      this.put(`${end}}`);
      m.leave();
      return;
    }
    throw new FunctionError(`json: unsupported type ${typeof x}`);
  }
}

/**
 * A JSON/YAML document as Go decodes it into interface{}: numbers become float64, maps have no
 * prototype (a `__proto__` key is an ordinary entry). Nesting is checked on the meter.
 */
export function fromPlain(v: unknown, m: Meter = defaultMeter('fromJson')): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return new Float64(v);
  if (typeof v === 'bigint') return new Float64(Number(v));
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'object') return null;
  m.enter();
  let out: unknown;
  if (Array.isArray(v)) {
    m.step(v.length);
    out = v.map((x) => fromPlain(x, m));
  } else {
    const entries: [unknown, unknown][] = v instanceof Map ? [...v] : Object.entries(v);
    m.step(entries.length);
    const map = newMap();
    for (const [k, x] of entries) setEntry(map, String(k), fromPlain(x, m));
    out = map;
  }
  m.leave();
  return out;
}

/** encoding/json.Unmarshal into interface{}; throws on invalid JSON. */
export function parseGoJson(s: string, m?: Meter): unknown {
  return fromPlain(JSON.parse(s), m);
}

// ---- toYaml: sigs.k8s.io/yaml (go-yaml v2) output ----

const YAML11_BOOL =
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const YAML_NULL = /^(~|null|Null|NULL)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const YAML_SPECIAL_FLOAT = /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;
const YAML_INT = /^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)$/;
const YAML_BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const YAML_TIMESTAMP =
  /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::?\d{2})?))?)?$/;

function yamlResolvesToNonString(s: string): boolean {
  return (
    s === '' ||
    s === '<<' ||
    YAML_NULL.test(s) ||
    YAML11_BOOL.test(s) ||
    YAML_FLOAT.test(s) ||
    YAML_SPECIAL_FLOAT.test(s) ||
    YAML_INT.test(s) ||
    YAML_BASE60.test(s) ||
    YAML_TIMESTAMP.test(s)
  );
}

function yamlPlainAllowed(s: string): boolean {
  if (s.startsWith('---') || s.startsWith('...')) return false;
  if (/^\s|\s$/.test(s)) return false;
  // Characters go-yaml cannot write plain: controls, tabs, and non-printables.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b-\x1f\x7f\t\ufeff]/.test(s)) return false;
  const first = s[0]!;
  const blankAfter = (i: number) => i + 1 >= s.length || s[i + 1] === ' ' || s[i + 1] === '\n';
  if ('#,[]{}&*!|>\'"%@`'.includes(first)) return false;
  if ((first === '?' || first === ':' || first === '-') && blankAfter(0)) return false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ':' && blankAfter(i)) return false;
    if (s[i] === '#' && i > 0 && s[i - 1] === ' ') return false;
  }
  return true;
}

function yamlDoubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (c === 0xfeff) out += '\\uFEFF';
    else out += ch;
  }
  return out + '"';
}

function yamlScalar(s: string, indent: string): string {
  if (s.includes('\n')) {
    const chomp = s.endsWith('\n') ? (s.endsWith('\n\n') ? '+' : '') : '-';
    const indicator = s.startsWith(' ') || s.startsWith('\n') ? '2' : '';
    const body = (s.endsWith('\n') ? s.slice(0, -1) : s).split('\n');
    return `|${indicator}${chomp}\n${body.map((l) => (l ? `${indent}  ${l}` : '')).join('\n')}`;
  }
  if (yamlResolvesToNonString(s)) return yamlDoubleQuoted(s);
  if (yamlPlainAllowed(s)) return s;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b-\x1f\x7f\t\ufeff]/.test(s)) return yamlDoubleQuoted(s);
  return `'${s.replace(/'/g, "''")}'`;
}

function yamlNumber(v: unknown): string {
  if (v instanceof Float64) {
    const f = v.value;
    if (Number.isNaN(f)) return '.nan';
    if (!Number.isFinite(f)) return f > 0 ? '.inf' : '-.inf';
    // JSON round trip: integral floats come back as ints.
    if (Number.isInteger(f) && Math.abs(f) < 1e21) return jsonFloat(f);
    return formatFloat(f, 'g', -1);
  }
  return String(numberOf(v));
}

function toYamlValue(v: unknown, indent: string, m: Meter): string {
  const leaf = (s: string) => {
    m.add(s.length + indent.length);
    return s;
  };
  if (v === null || v === undefined) return leaf('null');
  if (typeof v === 'string') return leaf(yamlScalar(v, indent));
  if (typeof v === 'boolean') return leaf(String(v));
  if (typeof v === 'number' || v instanceof Int64 || v instanceof Float64)
    return leaf(yamlNumber(v));
  if (v instanceof GoTime)
    return leaf(yamlScalar(formatGoTime(v, '2006-01-02T15:04:05.999999999Z07:00'), indent));
  m.enter();
  try {
    return toYamlComposite(v, indent, m);
  } finally {
    m.leave();
  }
}

function toYamlComposite(v: unknown, indent: string, m: Meter): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return v
      .map((x, i) => {
        const item = toYamlValue(x, `${indent}  `, m);
        const complex = (Array.isArray(x) && x.length) || (isGoMap(x) && Object.keys(x).length);
        return `${i ? indent : ''}- ${complex ? item.replace(/^\s+/, '') : item}`;
      })
      .join('\n');
  }
  if (isGoMap(v)) {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return '{}';
    return keys
      .map((k, i) => {
        const x = v[k];
        const key = `${i ? indent : ''}${yamlScalar(k, indent)}:`;
        m.add(key.length + 1);
        if (isGoMap(x) && Object.keys(x).length)
          return `${key}\n${indent}  ${toYamlValue(x, `${indent}  `, m)}`;
        if (Array.isArray(x) && x.length) return `${key}\n${indent}${toYamlValue(x, indent, m)}`;
        return `${key} ${toYamlValue(x, indent, m)}`;
      })
      .join('\n');
  }
  throw new FunctionError(`yaml: unsupported type ${typeof v}`);
}

/** Helm's toYaml: YAML of the value without the final newline ("" on failure). */
export function toYaml(v: unknown, m: Meter = defaultMeter('toYaml')): string {
  try {
    // JSON round trip first (as sigs.k8s.io/yaml does): NaN fails, times become strings.
    goJson(v, false, '', m);
    return toYamlValue(v, '', new Meter(m.limits, m.what, m.unit));
  } catch (err) {
    rethrowBudget(err);
    return '';
  }
}

function errorMap(message: string): GoMap {
  const m = newMap();
  m.Error = message;
  return m;
}

/** Helm's fromYaml: a map; errors are returned under the "Error" key. */
export function fromYaml(s: string, m: Meter = defaultMeter('fromYaml')): GoMap {
  let parsed: unknown;
  checkYamlNesting(s, m.limits.maxDepth);
  try {
    // Maps come back as Map objects: every key, `__proto__` included, stays an ordinary key.
    parsed = parseYamlText(s, { version: '1.1', maxAliasCount: 100, mapAsMap: true });
  } catch (err) {
    rethrowBudget(err);
    return errorMap(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return newMap();
  if (!isGoMap(parsed) && !(parsed instanceof Map))
    return errorMap(
      `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type map[string]interface {}`,
    );
  return fromPlain(parsed, m) as GoMap;
}

function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of enc.encode(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Sprig's toJson/toPrettyJson: "" when the value cannot be encoded. */
function jsonOrEmpty(ctx: CallContext, what: string, v: unknown, indent: string): string {
  try {
    return goJson(v, true, indent, meter(ctx, what));
  } catch (err) {
    rethrowBudget(err);
    return '';
  }
}

function b64enc(ctx: CallContext, s: string): string {
  checkSize(ctx, Math.ceil(byteLength(s) / 3) * 4, 'b64enc');
  return Buffer.from(s, 'utf8').toString('base64');
}

export const encodingFunctions: Record<string, GoFunction> = {
  b64enc: def(['string'], (ctx, s) => b64enc(ctx, s as string)),
  b64dec: def(['string'], (_c, s) => b64decode(s as string)),
  toJson: def(['any'], (ctx, v) => jsonOrEmpty(ctx, 'toJson', v, '')),
  toPrettyJson: def(['any'], (ctx, v) => jsonOrEmpty(ctx, 'toPrettyJson', v, '  ')),
  toRawJson: def(['any'], (ctx, v) => goJson(v, false, '', meter(ctx, 'toRawJson'))),
  toYaml: def(['any'], (ctx, v) => toYaml(v, meter(ctx, 'toYaml'))),
  fromYaml: def(['string'], (ctx, s) => fromYaml(s as string, meter(ctx, 'fromYaml', 'items'))),
  sha256sum: def(['string'], (_c, s) => hash('sha256', s as string, 'hex')),
  adler32sum: def(['string'], (_c, s) => String(adler32(s as string))),
};
