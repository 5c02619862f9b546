/**
 * Go values as JavaScript sees them. Templates handle Go's dynamic values (`interface{}`), and
 * Go's output depends on their types (`float64(1e6)` prints `1e+06`, `int64` is not an `int`
 * parameter), so the types Sprig produces are kept:
 *
 * | Go                                  | JavaScript                          |
 * |-------------------------------------|-------------------------------------|
 * | string, bool                        | string, boolean                     |
 * | nil                                 | null (undefined is treated as nil)  |
 * | int (constants, len, atoi, indexes) | number (always integral)            |
 * | int64 (add, sub, max, int64, …)     | Int64                               |
 * | float64 (1.5, float64, floor, JSON) | Float64                             |
 * | []interface{}, []string             | Array                               |
 * | map[string]interface{}              | plain object                        |
 * | time.Time                           | GoTime                              |
 *
 * Maps made by templates have no prototype (see newMap); maps given as data may have
 * Object.prototype, and are only ever read through their own properties.
 */
import type { Meter } from '../functions/limits.js';

export class Int64 {
  constructor(readonly value: number) {}
  toString(): string {
    return String(this.value);
  }
  valueOf(): number {
    return this.value;
  }
}

export class Float64 {
  constructor(readonly value: number) {}
  toString(): string {
    return formatFloat(this.value, 'g', -1);
  }
  valueOf(): number {
    return this.value;
  }
}

/** time.Time: an instant plus the zone it is shown in (`UTC`, `Local` or an IANA name). */
export class GoTime {
  constructor(
    readonly epochMs: number,
    readonly zone: string,
  ) {}
}

export type GoMap = Record<string, unknown>;

/**
 * A new Go map: an object without a prototype, so `__proto__`, `constructor` and `prototype`
 * are ordinary keys, as in Go, and nothing read from it ever comes from Object.prototype.
 */
export function newMap(): GoMap {
  return Object.create(null) as GoMap;
}

/** m[k] = v, where a "__proto__" key is an ordinary key (as in Go) and not the prototype. */
export function setEntry(m: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(m, k, { value: v, writable: true, enumerable: true, configurable: true });
  else m[k] = v;
}

/** m[k] if m has its own entry k (never an inherited property), else undefined. */
export function getEntry(m: GoMap, k: string): unknown {
  return Object.hasOwn(m, k) ? m[k] : undefined;
}

export type Kind =
  'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'time' | 'invalid';

export function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'int';
    case 'object':
      if (v instanceof Int64) return 'int';
      if (v instanceof Float64) return 'float';
      if (Array.isArray(v)) return 'slice';
      if (v instanceof GoTime) return 'time';
      if (isGoMap(v)) return 'map';
      return 'invalid';
    default:
      return 'invalid';
  }
}

/**
 * Go's reflect Kind name for a value, as Sprig prints it in kindOf and error messages. A nil
 * value has no Kind of its own: callers name it (Invalid for reflect.ValueOf(nil), ptr where
 * Sprig sees a nil pointer).
 */
export function reflectKind(v: unknown, nilKind = 'invalid'): string {
  switch (kindOf(v)) {
    case 'nil':
      return nilKind;
    case 'int':
      return typeof v === 'number' ? 'int' : 'int64';
    case 'float':
      return 'float64';
    case 'time':
      return 'struct';
    default:
      return kindOf(v);
  }
}

export function isGoMap(v: unknown): v is GoMap {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The Go type name, as fmt prints it in `%!d(string=x)` and errors. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'int';
  if (v instanceof Int64) return 'int64';
  if (v instanceof Float64) return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoTime) return 'time.Time';
  return 'map[string]interface {}';
}

/** The numeric value of an int or float, or undefined. */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Int64 || v instanceof Float64) return v.value;
  return undefined;
}

/** text/template's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truth(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    default:
      if (v instanceof Int64 || v instanceof Float64) return v.value !== 0;
      if (Array.isArray(v)) return v.length > 0;
      if (isGoMap(v)) return Object.keys(v).length > 0;
      return true;
  }
}

/** Sprig's `empty`: like truth, negated (structs such as time.Time are never empty). */
export function isEmpty(v: unknown): boolean {
  return !truth(v);
}

/** 2^63, the first value past int64 (doubles cannot hold 2^63-1 exactly). */
const MAX_INT64 = 2 ** 63;

/** Go's strconv.ParseInt(s, 0, 64) (base prefixes, underscores); undefined when invalid. */
export function parseGoInt(text: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(
    text,
  );
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  let body = m[2]!;
  let base = 10;
  if (/^0[xX]/.test(body)) {
    base = 16;
    body = body.slice(2);
  } else if (/^0[bB]/.test(body)) {
    base = 2;
    body = body.slice(2);
  } else if (/^0[oO]/.test(body)) {
    base = 8;
    body = body.slice(2);
  } else if (body.length > 1 && body.startsWith('0')) {
    base = 8;
    body = body.slice(1);
  }
  // Underscores are allowed only between digits (or after a base prefix).
  if (body.includes('__') || body.endsWith('_') || (base === 10 && body.startsWith('_')))
    return undefined;
  const digits = body.replace(/_/g, '');
  if (digits === '') return base === 8 && m[2] === '0' ? 0 : undefined;
  const n = parseInt(digits, base);
  if (!Number.isFinite(n) || n >= MAX_INT64) return undefined;
  return sign * n;
}

/** Go's strconv.Atoi (base 10 only). */
export function parseGoDecimal(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return Math.abs(n) >= MAX_INT64 ? undefined : n;
}

/** Go's strconv.ParseFloat(s, 64); undefined when invalid. */
export function parseGoFloat(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (/^[+-]?(?:[0-9](?:_?[0-9])*)?(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9]+)?$/.test(text)) {
    const clean = text.replace(/_/g, '');
    if (!/[0-9]/.test(clean.split(/[eE]/)[0]!)) return undefined;
    const n = Number(clean);
    // Out of range is an error for ParseFloat (ErrRange), which callers turn into 0.
    return Number.isFinite(n) ? n : undefined;
  }
  if (/^[+-]?0[xX]/.test(text)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(text);
    if (!m || (m[2] === '' && !m[3])) return undefined;
    const mant = parseInt((m[2] ?? '') + (m[3] ?? ''), 16) / 16 ** (m[3]?.length ?? 0);
    return (m[1] === '-' ? -1 : 1) * mant * 2 ** Number(m[4]);
  }
  return undefined;
}

/** spf13/cast ToInt64 as Sprig uses it: failures give 0. */
export function toInt64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof Int64) return v.value;
  if (v instanceof Float64)
    return Number.isFinite(v.value) ? Math.trunc(v.value) : -9223372036854775808;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    // cast trims a zero decimal part ("3.0" → "3") before ParseInt(s, 0, 0).
    const trimmed = /^[+-]?[0-9]+\.0*$/.test(v) ? v.slice(0, v.indexOf('.')) : v;
    return parseGoInt(trimmed) ?? 0;
  }
  return 0;
}

/** spf13/cast ToFloat64 as Sprig uses it: failures give 0. */
export function toFloat64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof Int64 || v instanceof Float64) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return parseGoFloat(v) ?? 0;
  return 0;
}

/**
 * reflect.DeepEqual over Go values. Every compared pair counts a step and nested values count
 * depth on the meter: two separately built, identically doubled structures cannot make it run
 * for ever.
 */
export function deepEqual(a: unknown, b: unknown, m: Meter): boolean {
  m.step();
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined)
    return (a ?? null) === (b ?? null);
  if (typeName(a) !== typeName(b)) return false;
  const na = numberOf(a);
  if (na !== undefined) return na === numberOf(b);
  if (a instanceof GoTime && b instanceof GoTime)
    return a.epochMs === b.epochMs && a.zone === b.zone;
  let equal = false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    if (m.knownEqual(a, b)) return true;
    m.enter();
    equal = true;
    for (let i = 0; equal && i < a.length; i++) equal = deepEqual(a[i], b[i], m);
    m.leave();
  } else if (isGoMap(a) && isGoMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    if (m.knownEqual(a, b)) return true;
    m.enter();
    equal = true;
    for (let i = 0; equal && i < ka.length; i++)
      equal = Object.hasOwn(b, ka[i]!) && deepEqual(a[ka[i]!], b[ka[i]!], m);
    m.leave();
  }
  if (equal) m.markEqual(a as object, b as object);
  return equal;
}

// ---- float formatting (strconv.FormatFloat) ----

/** Decimal digits and exponent of the shortest representation of |f|: f = 0.d1d2… × 10^dp. */
function shortestDigits(f: number): { digits: string; dp: number } {
  if (f === 0) return { digits: '0', dp: 1 };
  const [mant, exp] = Math.abs(f).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  return { digits, dp: Number(exp) + 1 };
}

/** The exact decimal digits of |f| (doubles have finite expansions; 100 digits cover the usual ones). */
function exactDigits(f: number): { digits: string; dp: number } {
  const [mant, exp] = Math.abs(f).toExponential(99).split('e') as [string, string];
  return { digits: mant.replace('.', '').replace(/0+$/, '') || '0', dp: Number(exp) + 1 };
}

/** Rounds a digit string to `n` digits, half to even on exact ties, as Go's strconv does. */
function roundDigitString(digits: string, dp: number, n: number): { digits: string; dp: number } {
  if (n <= 0) {
    // Nothing kept: round up only past half of the first digit's position.
    const up =
      n === 0 &&
      (digits[0]! > '5' || (digits[0] === '5' && digits.slice(1).replace(/0+$/, '') !== ''));
    return up ? { digits: '1', dp: dp + 1 } : { digits: '0', dp };
  }
  if (digits.length <= n) return { digits: digits.padEnd(n, '0'), dp };
  const head = digits.slice(0, n);
  const next = digits[n]!;
  const rest = digits.slice(n + 1).replace(/0+$/, '');
  const odd = Number(head[head.length - 1]) % 2 === 1;
  const roundUp = next > '5' || (next === '5' && (rest !== '' || odd));
  if (!roundUp) return { digits: head, dp };
  const chars = head.split('');
  let i = chars.length - 1;
  while (i >= 0 && chars[i] === '9') chars[i--] = '0';
  if (i < 0) return { digits: `1${chars.join('')}`.slice(0, n), dp: dp + 1 };
  chars[i] = String(Number(chars[i]) + 1);
  return { digits: chars.join(''), dp };
}

function digitsWithPrecision(f: number, significant: number): { digits: string; dp: number } {
  if (f === 0) return { digits: '0'.repeat(Math.max(1, significant)), dp: 1 };
  const { digits, dp } = exactDigits(f);
  return roundDigitString(digits, dp, Math.max(1, significant));
}

function expString(exp: number, fmt: 'e' | 'E'): string {
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return `${fmt}${sign}${abs < 10 ? '0' : ''}${abs}`;
}

function formatE(digits: string, dp: number, prec: number, fmt: 'e' | 'E'): string {
  // prec: digits after the point; -1 means as many as the digits have.
  const first = digits[0] ?? '0';
  let rest = digits.slice(1);
  if (prec >= 0) rest = rest.padEnd(prec, '0').slice(0, prec);
  const exp = digits === '0' || /^0+$/.test(digits) ? 0 : dp - 1;
  return `${first}${rest ? `.${rest}` : ''}${expString(exp, fmt)}`;
}

function formatFFromDigits(digits: string, dp: number, prec: number): string {
  let intPart: string;
  let frac: string;
  if (dp <= 0) {
    intPart = '0';
    frac = '0'.repeat(-dp) + digits;
  } else if (dp >= digits.length) {
    intPart = digits + '0'.repeat(dp - digits.length);
    frac = '';
  } else {
    intPart = digits.slice(0, dp);
    frac = digits.slice(dp);
  }
  if (prec >= 0) frac = frac.padEnd(prec, '0').slice(0, prec);
  else frac = frac.replace(/0+$/, '');
  return frac ? `${intPart}.${frac}` : intPart;
}

/** Rounds |f| to `prec` digits after the point, Go-style (exact value, ties to even). */
function fixedDigits(f: number, prec: number): string {
  if (f === 0) return formatFFromDigits('0', 1, prec);
  const exact = exactDigits(f);
  const { digits, dp } = roundDigitString(exact.digits, exact.dp, exact.dp + prec);
  return formatFFromDigits(digits, dp, prec);
}

/**
 * strconv.FormatFloat(f, fmt, prec, 64) for fmt in e E f g G; prec -1 is the shortest
 * representation that round-trips.
 */
export function formatFloat(f: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const neg = f < 0 || Object.is(f, -0);
  const sign = neg ? '-' : '';
  switch (fmt) {
    case 'e':
    case 'E': {
      const { digits, dp } = prec < 0 ? shortestDigits(f) : digitsWithPrecision(f, prec + 1);
      return sign + formatE(digits, dp, prec, fmt);
    }
    case 'f': {
      if (prec < 0) {
        const { digits, dp } = shortestDigits(f);
        return sign + formatFFromDigits(digits, dp, -1);
      }
      return sign + fixedDigits(f, prec);
    }
    case 'g':
    case 'G': {
      const shortest = prec < 0;
      let p = prec === 0 ? 1 : prec;
      const { digits, dp } = shortest ? shortestDigits(f) : digitsWithPrecision(f, p);
      let eprec = p;
      if (shortest) eprec = 6;
      else if (eprec > digits.length && digits.length >= dp) eprec = digits.length;
      const exp = dp - 1;
      const e = fmt === 'g' ? 'e' : 'E';
      if (f !== 0 && (exp < -4 || exp >= eprec)) {
        if (shortest) p = digits.length;
        return sign + formatE(digits.replace(/0+$/, '') || '0', dp, -1, e);
      }
      if (shortest) p = digits.length;
      const trimmed = digits.slice(0, Math.max(p, 1)).replace(/0+$/, '') || '0';
      return sign + formatFFromDigits(trimmed, f === 0 ? 1 : dp, -1);
    }
  }
}
