// Go's fmt as templates use it: %v printing, Sprint/Sprintln spacing, Sprintf verbs and flags,
// and strconv.Quote.
import { Float64, GoTime, Int64, formatFloat, isGoMap, numberOf, typeName } from './values.js';
import { FunctionError } from '../functions/types.js';
import { formatGoTime } from './time.js';

const utf8 = new TextEncoder();

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** strconv.Quote (asciiOnly: strconv.QuoteToASCII). */
export function quote(s: string, asciiOnly = false, q = '"'): string {
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') {
      out += `\\${ch}`;
      continue;
    }
    if (cp < 0x80 ? cp >= 0x20 && cp < 0x7f : !asciiOnly && PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    switch (ch) {
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\v':
        out += '\\v';
        break;
      default:
        if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
        else if (cp === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
        else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
        else out += `\\U${hex(cp, 8)}`;
    }
  }
  return out + q;
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '`' || ch === '\ufffd') return false;
    if (cp < 0x20 && ch !== '\t') return false;
    if (cp === 0x7f) return false;
  }
  return true;
}

/** %v of a value nested inside another (nil prints <nil>). */
export function formatValue(v: unknown): string {
  return formatOne(v, parseSpec('v'));
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces, and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return args.map(formatValue).join(' ') + '\n';
}

interface Spec {
  verb: string;
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

function parseSpec(verb: string): Spec {
  return { verb, minus: false, plus: false, sharp: false, space: false, zero: false };
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  const width = spec.width;
  const len = [...s].length;
  if (width === undefined || len >= width) return s;
  const fill = width - len;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero) {
    if (numeric && /^[+\- ]/.test(s)) return s[0]! + '0'.repeat(fill) + s.slice(1);
    return '0'.repeat(fill) + s;
  }
  return ' '.repeat(fill) + s;
}

function badVerb(v: unknown, verb: string): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

function formatInteger(n: number, spec: Spec): string {
  const neg = n < 0;
  const abs = Math.abs(n);
  let digits: string;
  let prefix = '';
  switch (spec.verb) {
    case 'd':
    case 'v':
      digits = abs.toString(10);
      break;
    case 'b':
      digits = abs.toString(2);
      if (spec.sharp) prefix = '0b';
      break;
    case 'o':
      digits = abs.toString(8);
      if (spec.sharp) prefix = '0';
      break;
    case 'O':
      digits = abs.toString(8);
      prefix = '0o';
      break;
    case 'x':
      digits = abs.toString(16);
      if (spec.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = '0X';
      break;
    case 'c':
      return pad(String.fromCodePoint(abs), { ...spec, zero: false }, false);
    case 'q':
      return pad(quote(String.fromCodePoint(abs), spec.plus, "'"), { ...spec, zero: false }, false);
    case 'U': {
      const u = `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`;
      return pad(spec.sharp ? `${u} '${String.fromCodePoint(abs)}'` : u, spec, false);
    }
    default:
      throw new Error('unreachable');
  }
  if (spec.prec !== undefined) {
    digits = spec.prec === 0 && abs === 0 ? '' : digits.padStart(spec.prec, '0');
  } else if (spec.zero && !spec.minus && spec.width !== undefined) {
    const signLen = neg || spec.plus || spec.space ? 1 : 0;
    digits = digits.padStart(spec.width - signLen - prefix.length, '0');
  }
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + prefix + digits, { ...spec, zero: false }, true);
}

function formatFloatVerb(f: number, spec: Spec): string {
  let verb = spec.verb;
  let prec = spec.prec ?? -1;
  if (verb === 'v') verb = 'g';
  if (verb === 'F') verb = 'f';
  if ((verb === 'e' || verb === 'E' || verb === 'f') && spec.prec === undefined) prec = 6;
  let s = formatFloat(f, verb as 'e' | 'E' | 'f' | 'g' | 'G', prec);
  if (spec.sharp && !s.includes('.') && Number.isFinite(f)) {
    const e = s.search(/[eE]/);
    s = e >= 0 ? `${s.slice(0, e)}.${s.slice(e)}` : `${s}.`;
  }
  if (!Number.isFinite(f)) {
    if (s === '+Inf' && spec.space && !spec.plus) s = ' Inf';
    if (s === 'NaN' && (spec.plus || spec.space)) s = `${spec.plus ? '+' : ' '}NaN`;
    return pad(s, { ...spec, zero: false }, false);
  }
  if (!s.startsWith('-')) {
    if (spec.plus) s = `+${s}`;
    else if (spec.space) s = ` ${s}`;
  }
  return pad(s, spec, true);
}

function formatString(s: string, spec: Spec): string {
  switch (spec.verb) {
    case 'v':
    case 's': {
      const text = spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s;
      return pad(text, spec, false);
    }
    case 'q': {
      const text = spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s;
      return pad(
        spec.sharp && canBackquote(text) ? `\`${text}\`` : quote(text, spec.plus),
        spec,
        false,
      );
    }
    case 'x':
    case 'X': {
      let bytes = [...utf8.encode(s)];
      if (spec.prec !== undefined) bytes = bytes.slice(0, spec.prec);
      const h = bytes.map((b) => hex(b, 2)).join(spec.space ? ' ' : '');
      const withPrefix = spec.sharp ? (spec.space ? h.replace(/(^|\s)/g, '$10x') : `0x${h}`) : h;
      return pad(spec.verb === 'X' ? withPrefix.toUpperCase() : withPrefix, spec, false);
    }
    default:
      return badVerb(s, spec.verb);
  }
}

function formatOne(v: unknown, spec: Spec): string {
  const verb = spec.verb;
  if (v === null || v === undefined)
    return verb === 'v' ? pad('<nil>', spec, false) : badVerb(v, verb);
  if (typeof v === 'string') return formatString(v, spec);
  if (typeof v === 'boolean')
    return verb === 'v' || verb === 't' ? pad(String(v), spec, false) : badVerb(v, verb);
  if (typeof v === 'number' || v instanceof Int64) {
    const n = numberOf(v)!;
    return 'vdboOxXcqU'.includes(verb) ? formatInteger(n, spec) : badVerb(v, verb);
  }
  if (v instanceof Float64) {
    // Go prints floats in binary and hexadecimal exponent form; we refuse rather than differ.
    if (verb === 'b' || verb === 'x' || verb === 'X')
      throw new FunctionError(`printf verb %${verb} on float64 is not supported by Lynq templates`);
    return 'veEfFgG'.includes(verb) ? formatFloatVerb(v.value, spec) : badVerb(v, verb);
  }
  if (v instanceof GoTime) {
    return verb === 'v' || verb === 's'
      ? pad(formatGoTime(v, '2006-01-02 15:04:05.999999999 -0700 MST'), spec, false)
      : badVerb(v, verb);
  }
  if (Array.isArray(v)) return `[${v.map((x) => formatOne(x, spec)).join(' ')}]`;
  if (isGoMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${formatOne(k, spec)}:${formatOne(v[k], spec)}`).join(' ')}]`;
  }
  return badVerb(v, verb);
}

/** Verbs of a constant format string that we do not implement (e.g. `%#v`, `%p`). */
export function unsupportedVerbs(format: string): string[] {
  const bad: string[] = [];
  const re = /%([+\-# 0]*)(\[\d+\])?(\*|\d+)?(?:\.(\[\d+\])?(\*|\d+)?)?(\[\d+\])?(.|$)/gsu;
  for (const m of format.matchAll(re)) {
    const verb = m[7] ?? '';
    if (verb === '') continue;
    // Verbs Go implements for values templates can hold, and we do not.
    if (verb === 'p') bad.push('%p');
    if (verb === 'v' && m[1]?.includes('#')) bad.push('%#v');
  }
  return bad;
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const n = format.length;
  const readIndex = (): number | 'bad' | undefined => {
    if (format[i] !== '[') return undefined;
    const close = format.indexOf(']', i);
    const text = close < 0 ? '' : format.slice(i + 1, close);
    if (close < 0 || !/^\d+$/.test(text)) {
      i = close < 0 ? n : close + 1;
      return 'bad';
    }
    i = close + 1;
    reordered = true;
    return Number(text) - 1;
  };
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec = parseSpec('');
    flags: while (i < n) {
      switch (format[i]) {
        case '#':
          spec.sharp = true;
          break;
        case '0':
          spec.zero = true;
          break;
        case '+':
          spec.plus = true;
          break;
        case '-':
          spec.minus = true;
          break;
        case ' ':
          spec.space = true;
          break;
        default:
          break flags;
      }
      i++;
    }
    let badIndex = false;
    let idx = readIndex();
    if (idx === 'bad') badIndex = true;
    else if (idx !== undefined) argNum = idx;
    let badWidth = false;
    if (format[i] === '*') {
      i++;
      const a = args[argNum++];
      if (typeof a === 'number' || a instanceof Int64) {
        const w = numberOf(a)!;
        if (w < 0) {
          spec.minus = true;
          spec.width = -w;
        } else spec.width = w;
      } else badWidth = true;
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Number(m[0]);
        i += m[0].length;
      }
    }
    let badPrec = false;
    if (format[i] === '.') {
      i++;
      idx = readIndex();
      if (idx === 'bad') badIndex = true;
      else if (idx !== undefined) argNum = idx;
      if (format[i] === '*') {
        i++;
        const a = args[argNum++];
        if (typeof a === 'number' || a instanceof Int64) {
          const p = numberOf(a)!;
          if (p < 0) spec.prec = undefined;
          else spec.prec = p;
        } else badPrec = true;
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    idx = readIndex();
    if (idx === 'bad') badIndex = true;
    else if (idx !== undefined) argNum = idx;
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    spec.verb = verb;
    if (spec.minus) spec.zero = false;
    if (badWidth) out += '%!(BADWIDTH)';
    if (badPrec) out += '%!(BADPREC)';
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (badIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++];
    if (verb === 'T') {
      out += pad(typeName(arg), spec, false);
      continue;
    }
    if (verb === 'w') {
      out += badVerb(arg, verb);
      continue;
    }
    out += formatOne(arg, spec);
  }
  if (!reordered && argNum < args.length) {
    out += `%!(EXTRA ${args
      .slice(argNum)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatValue(a)}`))
      .join(', ')})`;
  }
  return out;
}
