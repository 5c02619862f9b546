// Sprig's string functions, with Go's byte-oriented slicing (strings are UTF-8 bytes in Go).
// Functions whose result can be much larger than their arguments check its size first.
import { sprintf, formatValue } from '../go/fmt.js';
import { isGoMap, typeName } from '../go/values.js';
import { checkSize, defaultMeter, meter, type Meter } from './limits.js';
import { FunctionError, def, type CallContext, type GoFunction } from './types.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Go byte length of a string. */
export function byteLength(s: string): number {
  // Fast path: pure ASCII.
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.length : enc.encode(s).length;
}

/** s[start:end] over UTF-8 bytes, panicking (FunctionError) like Go when out of range. */
export function byteSlice(s: string, start: number, end?: number): string {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(s);
  const len = ascii ? s.length : enc.encode(s).length;
  const e = end ?? len;
  if (start < 0 || e > len || start > e)
    throw new FunctionError(`slice bounds out of range [${start}:${e}] with length ${len}`);
  return ascii ? s.slice(start, e) : dec.decode(enc.encode(s).subarray(start, e));
}

/** Sprig strval: strings as is, everything else as %v (counted on the meter). */
export function strval(v: unknown, m: Meter = defaultMeter('strval')): string {
  return typeof v === 'string' ? v : formatValue(v, m);
}

/** Sprig strslice: a list's non-nil items as strings; nil → []; a scalar → [scalar]. */
export function strslice(v: unknown, m: Meter = defaultMeter('strslice')): string[] {
  if (Array.isArray(v)) {
    m.step(v.length);
    return v.filter((x) => x !== null && x !== undefined).map((x) => strval(x, m));
  }
  if (v === null || v === undefined) return [];
  return [strval(v, m)];
}

const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/**
 * strings.TrimSpace (unicode.IsSpace, which excludes U+FEFF unlike JavaScript's \\s). A scan
 * from both ends: a regex `\s+$` takes quadratic time on a long run of spaces inside the text.
 */
export function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && GO_SPACE.test(s[a]!)) a++;
  while (b > a && GO_SPACE.test(s[b - 1]!)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function trimCutset(s: string, cutset: string): string {
  const set = new Set(cutset);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a]!)) a++;
  while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

/** strings.Title: upper-cases the first letter after every separator. */
function isSeparator(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return GO_SPACE.test(ch);
}

function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? upper1(ch) : ch;
    prev = ch;
  }
  return out;
}

/** goutils DeleteWhiteSpace: works byte by byte (multi-byte text comes out as Latin-1 mojibake when spaces are removed, as in Go). */
function nospace(s: string): string {
  const bytes = enc.encode(s);
  let out = '';
  let removed = false;
  for (const b of bytes) {
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0) {
      removed = true;
      continue;
    }
    out += String.fromCharCode(b);
  }
  return removed ? out : s;
}

function abbrev(width: number, s: string): string {
  if (width < 4 || s === '') return s;
  if (byteLength(s) <= width) return s;
  return `${byteSlice(s, 0, width - 3)}...`;
}

function isUpper(ch: string): boolean {
  return /\p{Lu}|\p{Lt}/u.test(ch) && ch !== ch.toLowerCase();
}
function isConnector(ch: string): boolean {
  return ch === '-' || ch === '_' || GO_SPACE.test(ch);
}
function isAlphabet(ch: string): boolean {
  if (!/\p{L}/u.test(ch)) return false;
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x4e00 && cp <= 0x9fcc) return false;
  if (cp >= 0x3400 && cp <= 0x4d85) return false;
  if (cp >= 0x20000 && cp <= 0x2b81d) return false;
  return true;
}
const isPunct = (ch: string) => /\p{P}/u.test(ch);
const isNumber = (ch: string) => /\p{N}/u.test(ch);
const upper1 = (ch: string) => (ch.toUpperCase().length === ch.length ? ch.toUpperCase() : ch);
// Simple case mapping: İ (U+0130) lowers to i, where JavaScript adds a combining dot.
const lower1 = (ch: string) =>
  ch === '\u0130' ? 'i' : ch.toLowerCase().length === ch.length ? ch.toLowerCase() : ch;

/** strings.ToUpper/ToLower: per-rune simple case mapping (ß stays ß, unlike JavaScript). */
function mapRunes(s: string, f: (ch: string) => string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return f === upper1 ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const ch of s) out += f(ch);
  return out;
}

/** xstrings.ToPascalCase (Sprig's camelcase). */
function pascalCase(str: string): string {
  const chars = [...str];
  if (chars.length === 0) return '';
  let out = '';
  let i = 0;
  let firstUpper = false;
  let r0 = '';
  for (; i < chars.length;) {
    r0 = chars[i++]!;
    if (!isConnector(r0)) {
      firstUpper = isUpper(r0);
      r0 = upper1(r0);
      break;
    }
    out += r0;
    r0 = '';
  }
  if (i >= chars.length) return out + r0;
  while (i < chars.length) {
    const r1 = r0;
    r0 = chars[i++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) {
      firstUpper = isUpper(r0);
      r0 = upper1(r0);
    } else {
      if (firstUpper) {
        if (isUpper(r0)) r0 = lower1(r0);
        else firstUpper = false;
      }
      out += r1;
    }
  }
  return out + r0;
}

type WordType = 'invalid' | 'number' | 'upper' | 'alpha' | 'connector' | 'punct' | 'other';

function nextWord(chars: string[], start: number): { wt: WordType; word: string; next: number } {
  if (start >= chars.length) return { wt: 'invalid', word: '', next: start };
  let i = start;
  const r = chars[i++]!;
  let wt: WordType;
  if (isConnector(r)) {
    wt = 'connector';
    while (i < chars.length && isConnector(chars[i]!)) i++;
  } else if (isPunct(r)) {
    wt = 'punct';
    while (i < chars.length && isPunct(chars[i]!)) i++;
  } else if (isUpper(r)) {
    wt = 'upper';
    if (i < chars.length) {
      const r2 = chars[i]!;
      if (isUpper(r2)) {
        i++;
        while (i < chars.length && isUpper(chars[i]!)) i++;
        if (i < chars.length && isAlphabet(chars[i]!)) i--;
      } else if (isAlphabet(r2)) {
        i++;
        while (i < chars.length && isAlphabet(chars[i]!) && !isUpper(chars[i]!)) i++;
      }
    }
  } else if (isAlphabet(r)) {
    wt = 'alpha';
    while (i < chars.length && isAlphabet(chars[i]!) && !isUpper(chars[i]!)) i++;
  } else if (isNumber(r)) {
    wt = 'number';
    while (i < chars.length && isNumber(chars[i]!)) i++;
  } else {
    wt = 'other';
    while (i < chars.length) {
      const c = chars[i]!;
      if (isConnector(c) || isAlphabet(c) || isNumber(c) || isPunct(c)) break;
      i++;
    }
  }
  return { wt, word: chars.slice(start, i).join(''), next: i };
}

function lowerWord(wt: WordType, word: string, connector: string): string {
  if (wt !== 'upper' && wt !== 'connector') return word;
  let out = '';
  for (const ch of word) out += isConnector(ch) ? connector : isUpper(ch) ? lower1(ch) : ch;
  return out;
}

/** xstrings camelCaseToLowerCase (Sprig's snakecase and kebabcase). */
function toLowerCase(str: string, connector: string): string {
  const chars = [...str];
  if (chars.length === 0) return '';
  let out = '';
  const st = nextWord(chars, 0);
  const step = () => Object.assign(st, nextWord(chars, st.next));
  const wt = (): WordType => st.wt;
  while (st.next < chars.length) {
    if (wt() !== 'connector') out += lowerWord(st.wt, st.word, connector);
    const prev = st.wt;
    const last = st.word;
    step();
    if (prev === 'number') {
      while (wt() === 'alpha' || wt() === 'number') {
        out += lowerWord(st.wt, st.word, connector);
        step();
      }
      if (wt() !== 'invalid' && wt() !== 'punct' && wt() !== 'connector') out += connector;
    } else if (prev === 'connector') {
      out += lowerWord(prev, last, connector);
    } else if (prev === 'punct') {
      // nothing between punctuation and the next word
    } else {
      if (wt() !== 'number') {
        if (wt() !== 'connector' && wt() !== 'punct') out += connector;
        continue;
      }
      if (st.next >= chars.length) continue;
      const lastNum = st.word;
      step();
      if (wt() !== 'alpha') {
        out += lowerWord('number', lastNum, connector);
        if (wt() !== 'connector' && wt() !== 'punct') out += connector;
        continue;
      }
      out += connector + lowerWord('number', lastNum, connector);
      while (wt() === 'alpha' || wt() === 'number') {
        out += lowerWord(st.wt, st.word, connector);
        step();
      }
      if (wt() !== 'invalid' && wt() !== 'connector' && wt() !== 'punct') out += connector;
    }
  }
  return out + lowerWord(st.wt, st.word, connector);
}

function repeat(ctx: CallContext, count: number, s: string): string {
  if (count < 0) throw new FunctionError('strings: negative Repeat count');
  checkSize(ctx, count * s.length, 'repeat');
  return s.repeat(count);
}

function substr(start: number, end: number, s: string): string {
  if (start < 0) return byteSlice(s, 0, end);
  const len = byteLength(s);
  if (end < 0 || end > len) return byteSlice(s, start);
  return byteSlice(s, start, end);
}

function trunc(c: number, s: string): string {
  const len = byteLength(s);
  if (c < 0 && len + c > 0) return byteSlice(s, len + c);
  if (c >= 0 && len > c) return byteSlice(s, 0, c);
  return s;
}

function splitList(ctx: CallContext, sep: string, s: string): string[] {
  // One item per character at most (sep ""), which is bounded by the string's own length.
  if (sep === '') {
    checkSize(ctx, s.length, 'splitList', 'items');
    return [...s];
  }
  const items = s.split(sep);
  checkSize(ctx, items.length, 'splitList', 'items');
  ctx.budget.step(items.length);
  return items;
}

function countOf(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

function indent(ctx: CallContext, what: string, n: number, s: string): string {
  if (n < 0) throw new FunctionError('strings: negative Repeat count');
  checkSize(ctx, s.length + n * (countOf(s, '\n') + 1), what);
  const pad = ' '.repeat(n);
  return pad + s.split('\n').join(`\n${pad}`);
}

/** strings.Replace(s, old, new, -1), refused before building when the result is too large. */
function replace(ctx: CallContext, old: string, repl: string, s: string): string {
  if (old === repl) return s;
  const count = old === '' ? [...s].length + 1 : countOf(s, old);
  checkSize(ctx, s.length + count * (repl.length - old.length), 'replace');
  // Go inserts `new` before every rune and at the end when `old` is empty.
  if (old === '') return s === '' ? repl : repl + [...s].join(repl) + repl;
  return s.split(old).join(repl);
}

function join(ctx: CallContext, sep: string, v: unknown): string {
  const items = strslice(v, meter(ctx, 'join'));
  let size = sep.length * Math.max(0, items.length - 1);
  for (const item of items) size += item.length;
  checkSize(ctx, size, 'join');
  return items.join(sep);
}

export const stringFunctions: Record<string, GoFunction> = {
  upper: def(['string'], (_c, s) => mapRunes(s as string, upper1)),
  lower: def(['string'], (_c, s) => mapRunes(s as string, lower1)),
  title: def(['string'], (_c, s) => title(s as string)),
  trim: def(['string'], (_c, s) => trimSpace(s as string)),
  trimAll: def(['string', 'string'], (_c, cut, s) => trimCutset(s as string, cut as string)),
  trimPrefix: def(['string', 'string'], (_c, p, s) =>
    (s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s,
  ),
  trimSuffix: def(['string', 'string'], (_c, p, s) =>
    (p as string) !== '' && (s as string).endsWith(p as string)
      ? (s as string).slice(0, -(p as string).length)
      : s,
  ),
  trunc: def(['int', 'string'], (_c, n, s) => trunc(n as number, s as string)),
  replace: def(['string', 'string', 'string'], (ctx, o, n, s) =>
    replace(ctx, o as string, n as string, s as string),
  ),
  contains: def(['string', 'string'], (_c, sub, s) => (s as string).includes(sub as string)),
  hasPrefix: def(['string', 'string'], (_c, p, s) => (s as string).startsWith(p as string)),
  hasSuffix: def(['string', 'string'], (_c, p, s) => (s as string).endsWith(p as string)),
  quote: def(
    [],
    (ctx, ...xs) => {
      const m = meter(ctx, 'quote');
      return xs
        .filter((x) => x !== null && x !== undefined)
        .map((x) => sprintf('%q', [strval(x, m)], m))
        .join(' ');
    },
    'any',
  ),
  squote: def(
    [],
    (ctx, ...xs) => {
      const m = meter(ctx, 'squote');
      return xs
        .filter((x) => x !== null && x !== undefined)
        .map((x) => `'${formatValue(x, m)}'`)
        .join(' ');
    },
    'any',
  ),
  indent: def(['int', 'string'], (ctx, n, s) => indent(ctx, 'indent', n as number, s as string)),
  nindent: def(
    ['int', 'string'],
    (ctx, n, s) => `\n${indent(ctx, 'nindent', n as number, s as string)}`,
  ),
  repeat: def(['int', 'string'], (ctx, n, s) => repeat(ctx, n as number, s as string)),
  substr: def(['int', 'int', 'string'], (_c, a, b, s) =>
    substr(a as number, b as number, s as string),
  ),
  splitList: def(['string', 'string'], (ctx, sep, s) => splitList(ctx, sep as string, s as string)),
  join: def(['string', 'any'], (ctx, sep, v) => join(ctx, sep as string, v)),
  kebabcase: def(['string'], (_c, s) => toLowerCase(s as string, '-')),
  snakecase: def(['string'], (_c, s) => toLowerCase(s as string, '_')),
  camelcase: def(['string'], (_c, s) => pascalCase(s as string)),
  nospace: def(['string'], (_c, s) => nospace(s as string)),
  abbrev: def(['int', 'string'], (_c, w, s) => abbrev(w as number, s as string)),
};

/** Describes a value for "wrong type" errors. */
export function describeType(v: unknown): string {
  return isGoMap(v) ? 'map[string]interface {}' : typeName(v);
}
