// Go's fmt as templates use it: %v printing, Sprint/Sprintln spacing, Sprintf verbs and flags,
// and strconv.Quote. Every function takes the meter of the call it works for: what it prints
// is counted as it goes, so printing a structure doubled fifty times stops at the value limit.
import { Float64, GoTime, Int64, formatFloat, isGoMap, numberOf, typeName } from './values.js';
import { FunctionError } from '../functions/types.js';
import { checkPrintedSize, defaultMeter, tooLarge, type Meter } from '../functions/limits.js';
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
export function formatValue(v: unknown, m: Meter = defaultMeter('print')): string {
  return formatOne(v, V_SPEC, m);
}

/** %v of a value for an error message: at most `max` characters, then an ellipsis. */
export function describeValue(v: unknown, max = 200): string {
  if (typeof v === 'string') return v.length > max ? `${v.slice(0, max)}…` : v;
  try {
    const s = formatValue(v, defaultMeter('describe'));
    return s.length > max ? `${s.slice(0, max)}…` : s;
  } catch {
    return `${typeName(v)} too large to print`;
  }
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly unknown[], m: Meter = defaultMeter('print')): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') {
      m.add(1);
      out += ' ';
    }
    out += formatOne(a, V_SPEC, m);
  }
  return out;
}

/** fmt.Sprintln: always spaces, and a newline. */
export function sprintln(args: readonly unknown[], m: Meter = defaultMeter('println')): string {
  m.add(args.length);
  return args.map((a) => formatOne(a, V_SPEC, m)).join(' ') + '\n';
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

const V_SPEC: Readonly<Spec> = Object.freeze(parseSpec('v'));

/** A rune as a string; invalid code points print as U+FFFD, as in Go. */
function runeString(n: number): string {
  return n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) ? '\ufffd' : String.fromCodePoint(n);
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

function badVerb(v: unknown, verb: string, m: Meter): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatOne(v, V_SPEC, m)})`;
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
      return pad(runeString(n), { ...spec, zero: false }, false);
    case 'q':
      return pad(quote(runeString(n), spec.plus, "'"), { ...spec, zero: false }, false);
    case 'U': {
      const u = `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`;
      const printable = n <= 0x10ffff && PRINTABLE.test(runeString(n));
      return pad(spec.sharp && printable ? `${u} '${runeString(n)}'` : u, spec, false);
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

function formatString(s: string, spec: Spec, m: Meter): string {
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
      return badVerb(s, spec.verb, m);
  }
}

/** One operand, counted on the meter as it is produced. */
function formatOne(v: unknown, spec: Readonly<Spec>, m: Meter): string {
  if (Array.isArray(v) || isGoMap(v)) {
    if (m.atTop) checkPrintedSize(v, m);
    return formatComposite(v, spec, m);
  }
  const s = formatScalar(v, spec, m);
  m.add(s.length);
  return s;
}

function formatComposite(v: unknown[] | Record<string, unknown>, spec: Readonly<Spec>, m: Meter) {
  m.enter();
  let out: string;
  if (Array.isArray(v)) {
    m.add(2 + Math.max(0, v.length - 1));
    out = `[${v.map((x) => formatOne(x, spec, m)).join(' ')}]`;
  } else {
    const keys = Object.keys(v).sort();
    m.add(5 + Math.max(0, 2 * keys.length - 1));
    out = `map[${keys.map((k) => `${formatOne(k, spec, m)}:${formatOne(v[k], spec, m)}`).join(' ')}]`;
  }
  m.leave();
  return out;
}

function formatScalar(v: unknown, spec: Readonly<Spec>, m: Meter): string {
  const verb = spec.verb;
  if (v === null || v === undefined)
    return verb === 'v' ? pad('<nil>', spec, false) : badVerb(v, verb, m);
  if (typeof v === 'string') return formatString(v, spec, m);
  if (typeof v === 'boolean')
    return verb === 'v' || verb === 't' ? pad(String(v), spec, false) : badVerb(v, verb, m);
  if (typeof v === 'number' || v instanceof Int64) {
    const n = numberOf(v)!;
    return 'vdboOxXcqU'.includes(verb) ? formatInteger(n, spec) : badVerb(v, verb, m);
  }
  if (v instanceof Float64) {
    // Go prints floats in binary and hexadecimal exponent form; we refuse rather than differ.
    if (verb === 'b' || verb === 'x' || verb === 'X')
      throw new FunctionError(`printf verb %${verb} on float64 is not supported by Lynq templates`);
    return 'veEfFgG'.includes(verb) ? formatFloatVerb(v.value, spec) : badVerb(v, verb, m);
  }
  if (v instanceof GoTime) {
    return verb === 'v' || verb === 's'
      ? pad(formatGoTime(v, '2006-01-02 15:04:05.999999999 -0700 MST'), spec, false)
      : badVerb(v, verb, m);
  }
  return badVerb(v, verb, m);
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

/** Go's fmt refuses widths and precisions beyond a million (fmt.tooLarge). */
function goTooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

/**
 * fmt's parsenum: the number at format[i…]. Like Go, a run of digits that grows past a
 * million gives up and consumes the rest of the format (`%0536870000d` prints `%!(NOVERB)`).
 */
function parseNum(format: string, i: number): { num: number; isNum: boolean; next: number } {
  let num = 0;
  let isNum = false;
  let p = i;
  for (; p < format.length && format[p]! >= '0' && format[p]! <= '9'; p++) {
    if (goTooLarge(num)) return { num: 0, isNum: false, next: format.length };
    num = num * 10 + (format.charCodeAt(p) - 48);
    isNum = true;
  }
  return { num, isNum, next: p };
}

/** fmt's intFromArg: an int argument for `*`, unless it is not an int or too large. */
function intFromArg(a: unknown): number | undefined {
  if (typeof a !== 'number' && !(a instanceof Int64)) return undefined;
  const n = numberOf(a)!;
  return goTooLarge(n) ? undefined : n;
}

/** fmt.Sprintf. Widths and precisions over the value limit are refused before padding. */
export function sprintf(
  format: string,
  args: readonly unknown[],
  m: Meter = defaultMeter('printf'),
): string {
  return new Printf(format, args, m).run();
}

/** One Sprintf call: the format, where it is read, and what is written so far. */
class Printf {
  private out = '';
  private argNum = 0;
  private reordered = false;
  private i = 0;
  constructor(
    private readonly format: string,
    private readonly args: readonly unknown[],
    private readonly m: Meter,
  ) {}

  private emit(piece: string): void {
    this.m.add(piece.length);
    this.out += piece;
  }

  private checkLength(what: string, x: number | undefined): void {
    if (x !== undefined && x > this.m.limits.maxValueSize)
      throw tooLarge(this.m.limits, `${this.m.what} ${what}`, x, 'characters');
  }

  /** An explicit argument index `[n]` at i: the index, 'bad', or undefined when there is none. */
  private readIndex(): number | 'bad' | undefined {
    const { format, i } = this;
    if (format[i] !== '[') return undefined;
    const close = format.indexOf(']', i);
    const text = close < 0 ? '' : format.slice(i + 1, close);
    if (close < 0 || !/^\d+$/.test(text)) {
      this.i = close < 0 ? format.length : close + 1;
      return 'bad';
    }
    this.i = close + 1;
    this.reordered = true;
    return Number(text) - 1;
  }

  /** An index read now moves argNum; says whether it was bad. */
  private index(): boolean {
    const idx = this.readIndex();
    if (idx === 'bad') return true;
    if (idx !== undefined) this.argNum = idx;
    return false;
  }

  /** The `*` argument for a width or precision, as fmt's intFromArg. */
  private starArg(): number | undefined {
    if (this.argNum >= this.args.length) return undefined;
    return intFromArg(this.args[this.argNum++]);
  }

  run(): string {
    const { format, args } = this;
    const n = format.length;
    while (this.i < n) {
      const pct = format.indexOf('%', this.i);
      if (pct < 0) {
        this.emit(format.slice(this.i));
        break;
      }
      this.emit(format.slice(this.i, pct));
      this.i = pct + 1;
      const spec = parseSpec('');
      flags: while (this.i < n) {
        switch (format[this.i]) {
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
        this.i++;
      }
      let badIndex = this.index();
      let badWidth = false;
      if (format[this.i] === '*') {
        this.i++;
        const w = this.starArg();
        if (w === undefined) badWidth = true;
        else if (w < 0) {
          spec.minus = true;
          spec.width = -w;
        } else spec.width = w;
      } else {
        const w = parseNum(format, this.i);
        if (w.isNum) spec.width = w.num;
        this.i = w.next;
      }
      let badPrec = false;
      if (format[this.i] === '.') {
        this.i++;
        if (this.index()) badIndex = true;
        if (format[this.i] === '*') {
          this.i++;
          const p = this.starArg();
          // Go: a precision that is not an int, or is negative, is bad.
          if (p === undefined || p < 0) badPrec = true;
          else spec.prec = p;
        } else {
          const p = parseNum(format, this.i);
          spec.prec = p.isNum ? p.num : 0;
          this.i = p.next;
        }
      }
      this.checkLength('width', spec.width);
      this.checkLength('precision', spec.prec);
      if (this.index()) badIndex = true;
      if (this.i >= n) {
        this.emit('%!(NOVERB)');
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(this.i)!);
      this.i += verb.length;
      spec.verb = verb;
      if (spec.minus) spec.zero = false;
      if (badWidth) this.emit('%!(BADWIDTH)');
      if (badPrec) this.emit('%!(BADPREC)');
      if (verb === '%') {
        this.emit('%');
        continue;
      }
      if (badIndex) {
        this.emit(`%!${verb}(BADINDEX)`);
        continue;
      }
      if (this.argNum >= args.length) {
        this.emit(`%!${verb}(MISSING)`);
        continue;
      }
      const arg = args[this.argNum++];
      if (verb === 'T') this.emit(pad(typeName(arg), spec, false));
      else if (verb === 'w') this.emit(badVerb(arg, verb, this.m));
      else this.out += formatOne(arg, spec, this.m);
    }
    if (!this.reordered && this.argNum < args.length) {
      const extra = args
        .slice(this.argNum)
        .map((a) =>
          a === null || a === undefined
            ? '<nil>'
            : `${typeName(a)}=${formatOne(a, V_SPEC, this.m)}`,
        )
        .join(', ');
      this.emit(`%!(EXTRA ${extra})`);
    }
    return this.out;
  }
}
