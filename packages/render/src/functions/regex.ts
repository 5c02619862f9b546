// Sprig's regular-expression functions on re2js, a port of Go's RE2 engine: Go's syntax and
// semantics, and matching in time linear in the input, whatever the pattern (a backtracking
// engine takes exponential time on `^(a+)+$` against "aaa…a!").
import { RE2JS } from 're2js';
import type { Meter } from './limits.js';
import { FunctionError } from './types.js';

/** Steps one match counts: a match costs about as much as eight range iterations. */
const MATCH_STEPS = 8;

/** Compiled patterns by source; templates reuse a few patterns over and over. */
const compiled = new Map<string, RE2JS>();
const CACHE_ENTRIES = 256;
const CACHE_PATTERN_CHARS = 4096;

/** Go's regexp.Compile; a syntax error is a FunctionError with Go's message. */
export function compileRegexp(pattern: string): RE2JS {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw new FunctionError((err as Error).message, { cause: err });
  }
  if (pattern.length <= CACHE_PATTERN_CHARS) {
    if (compiled.size >= CACHE_ENTRIES) compiled.delete(compiled.keys().next().value!);
    compiled.set(pattern, re);
  }
  return re;
}

/** One match: the text of the whole match and of each group (null when a group did not take part). */
interface GoMatch {
  index: number;
  end: number;
  groups: (string | null)[];
}

/**
 * Regexp.allMatches: successive non-overlapping matches, where an empty match right after the
 * previous match is skipped (JavaScript's matchAll keeps it: `a*` on "baaab" would give four).
 */
function* goMatches(re: RE2JS, s: string): Generator<GoMatch> {
  const m = re.matcher(s);
  const groupCount = m.groupCount();
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && m.find(pos)) {
    const index = m.start();
    const end = m.end();
    let accept = true;
    if (end === pos) {
      if (index === prevEnd) accept = false;
      const c = s.charCodeAt(pos);
      pos += c >= 0xd800 && c <= 0xdbff && pos + 1 < s.length ? 2 : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) {
      const groups: (string | null)[] = [];
      for (let g = 0; g <= groupCount; g++) groups.push(m.group(g));
      yield { index, end, groups };
    }
  }
}

const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;

/**
 * Regexp.Expand's template: `$1`, `${1}`, `$name`, `${name}`, `$$`; a name is the longest run
 * of letters, digits and `_`; a malformed `$` is kept as text; unknown groups expand to nothing.
 */
function expand(template: string, match: GoMatch, names: Record<string, number>, m: Meter): string {
  let out = '';
  let i = 0;
  const put = (s: string) => {
    m.add(s.length);
    out += s;
  };
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      put(template.slice(i));
      break;
    }
    put(template.slice(i, dollar));
    i = dollar + 1;
    if (template[i] === '$') {
      put('$');
      i++;
      continue;
    }
    let name = '';
    let end = i;
    if (template[i] === '{') {
      const close = template.indexOf('}', i + 1);
      name = close < 0 ? '' : template.slice(i + 1, close);
      if (close < 0 || name === '' || ![...name].every((c) => NAME_CHAR.test(c))) {
        put('$');
        continue;
      }
      end = close + 1;
    } else {
      for (const c of template.slice(i)) {
        if (!NAME_CHAR.test(c)) break;
        name += c;
      }
      if (name === '') {
        put('$');
        continue;
      }
      end = i + name.length;
    }
    i = end;
    // A number without leading zeros names a group by index, anything else by name.
    const group = /^(0|[1-9][0-9]{0,7})$/.test(name)
      ? Number(name)
      : Object.hasOwn(names, name)
        ? names[name]!
        : -1;
    const text = group >= 0 && group < match.groups.length ? match.groups[group] : null;
    if (text !== null && text !== undefined) put(text);
  }
  return out;
}

/** Regexp.ReplaceAllString (expand) or ReplaceAllLiteralString. */
export function replaceAll(
  pattern: string,
  s: string,
  repl: string,
  m: Meter,
  literal = false,
): string {
  const re = compileRegexp(pattern);
  const names = re.namedGroups();
  let out = '';
  let last = 0;
  for (const match of goMatches(re, s)) {
    m.step(MATCH_STEPS);
    const head = s.slice(last, match.index);
    m.add(head.length);
    out += head;
    if (literal) {
      m.add(repl.length);
      out += repl;
    } else out += expand(repl, match, names, m);
    last = match.end;
  }
  const tail = s.slice(last);
  m.add(tail.length);
  return out + tail;
}

/** Regexp.FindAllString(s, n): at most n matches (all when n < 0). */
export function findAll(pattern: string, s: string, n: number, m: Meter): string[] {
  const re = compileRegexp(pattern);
  const out: string[] = [];
  if (n === 0) return out;
  for (const match of goMatches(re, s)) {
    m.step(MATCH_STEPS);
    m.add(1);
    out.push(match.groups[0]!);
    if (n > 0 && out.length >= n) break;
  }
  return out;
}

/** Regexp.Split(s, n): the text between matches, at most n pieces (all when n < 0). */
export function split(pattern: string, s: string, n: number, m: Meter): string[] {
  const re = compileRegexp(pattern);
  if (n === 0) return [];
  if (pattern.length > 0 && s.length === 0) return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const match of goMatches(re, s)) {
    if (n > 0 && out.length === n - 1) break;
    m.step(MATCH_STEPS);
    end = match.index;
    if (match.end !== 0) {
      m.add(1);
      out.push(s.slice(beg, end));
    }
    beg = match.end;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** regexp.QuoteMeta: a backslash before every character that is special in a pattern. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
