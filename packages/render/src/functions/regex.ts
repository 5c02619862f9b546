// Sprig's regular-expression functions on re2js, a port of Go's RE2 engine: Go's syntax and
// semantics, and matching in time linear in the input, whatever the pattern (a backtracking
// engine takes exponential time on `^(a+)+$` against "aaa…a!").
import { RE2JS } from 're2js';
import type { Meter } from './limits.js';
import { FunctionError } from './types.js';

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

const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;

/**
 * Regexp.Expand's template: `$1`, `${1}`, `$name`, `${name}`, `$$`; a name is the longest run
 * of letters, digits and `_`; a malformed `$` is kept as text; unknown groups expand to nothing.
 */
function expand(
  template: string,
  match: RegExpMatchArray,
  names: Record<string, number>,
  m: Meter,
): string {
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
    const text = group >= 0 && group < match.length ? match[group] : undefined;
    if (text !== undefined) put(text);
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
  for (const match of re.matchAll(s)) {
    m.step();
    const head = s.slice(last, match.index);
    m.add(head.length);
    out += head;
    if (literal) {
      m.add(repl.length);
      out += repl;
    } else out += expand(repl, match, names, m);
    last = match.index! + match[0].length;
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
  for (const match of re.matchAll(s)) {
    m.step();
    m.add(1);
    out.push(match[0]);
    if (n > 0 && out.length >= n) break;
  }
  return out;
}
