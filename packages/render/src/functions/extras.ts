// Further Sprig functions that manifests use: conversions, sequences, list/dict selection,
// regex search, sha512 and type inspection.
import { hash } from 'node:crypto';
import { formatValue } from '../go/fmt.js';
import {
  Int64,
  deepEqual,
  newMap,
  reflectKind,
  setEntry,
  toInt64,
  typeName,
  type GoMap,
} from '../go/values.js';
import { checkSize, meter } from './limits.js';
import { compileRegexp, findAll, quoteMeta, replaceAll, split } from './regex.js';
import { strslice, strval } from './strings.js';
import { FunctionError, def, type CallContext, type GoFunction } from './types.js';

function listOf(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new FunctionError(`Cannot find ${what} on type ${reflectKind(v)}`);
}

/** Sprig's untilStep; the length is checked before a single item is made. */
function untilStep(
  ctx: CallContext,
  what: string,
  start: number,
  stop: number,
  step: number,
): number[] {
  const length =
    (stop < start && step < 0) || (stop > start && step > 0) ? Math.ceil((stop - start) / step) : 0;
  checkSize(ctx, length, what, 'items');
  ctx.budget.step(length, `${what}: items made`);
  const out: number[] = [];
  if (stop < start) {
    if (step >= 0) return out;
    for (let i = start; i > stop; i += step) out.push(i);
    return out;
  }
  if (step <= 0) return out;
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

/**
 * Sprig's regex functions that fail on an invalid pattern, under their plain and `must` names
 * (Sprig panics in the first and returns an error in the second: a template error either way).
 */
function regexFunctions(prefix: '' | 'must'): Record<string, GoFunction> {
  const name = (base: string) => (prefix ? `must${base[0]!.toUpperCase()}${base.slice(1)}` : base);
  return {
    [name('regexFind')]: def(
      ['string', 'string'],
      (_c, re, s) =>
        (compileRegexp(re as string).exec(s as string)?.[0] as string | undefined) ?? '',
    ),
    [name('regexFindAll')]: def(['string', 'string', 'int'], (ctx, re, s, n) =>
      findAll(re as string, s as string, n as number, meter(ctx, name('regexFindAll'), 'items')),
    ),
    [name('regexReplaceAll')]: def(['string', 'string', 'string'], (ctx, re, s, r) =>
      replaceAll(re as string, s as string, r as string, meter(ctx, name('regexReplaceAll'))),
    ),
    [name('regexReplaceAllLiteral')]: def(['string', 'string', 'string'], (ctx, re, s, r) =>
      replaceAll(
        re as string,
        s as string,
        r as string,
        meter(ctx, name('regexReplaceAllLiteral')),
        true,
      ),
    ),
    [name('regexSplit')]: def(['string', 'string', 'int'], (ctx, re, s, n) =>
      split(re as string, s as string, n as number, meter(ctx, name('regexSplit'), 'items')),
    ),
  };
}

export const extraFunctions: Record<string, GoFunction> = {
  toString: def(['any'], (ctx, v) => strval(v, meter(ctx, 'toString'))),
  toStrings: def(['any'], (ctx, v) => strslice(v, meter(ctx, 'toStrings'))),
  cat: def(
    [],
    (ctx, ...xs) => {
      const m = meter(ctx, 'cat');
      return xs
        .filter((x) => x !== null && x !== undefined)
        .map((x) => formatValue(x, m))
        .join(' ');
    },
    'any',
  ),
  add1: def(['any'], (_c, v) => new Int64(toInt64(v) + 1)),
  biggest: def(
    ['any'],
    (_c, a, ...xs) => new Int64(xs.reduce<number>((m, x) => Math.max(m, toInt64(x)), toInt64(a))),
    'any',
  ),
  until: def(['int'], (ctx, n) =>
    untilStep(ctx, 'until', 0, n as number, (n as number) < 0 ? -1 : 1),
  ),
  untilStep: def(['int', 'int', 'int'], (ctx, a, b, s) =>
    untilStep(ctx, 'untilStep', a as number, b as number, s as number),
  ),
  reverse: def(['any'], (ctx, l) => {
    const a = listOf(l, 'reverse');
    ctx.budget.step(a.length);
    return [...a].reverse();
  }),
  without: def(
    ['any'],
    (ctx, l, ...omit) => {
      const m = meter(ctx, 'without', 'items');
      return listOf(l, 'without').filter((x) => !omit.some((o) => deepEqual(o, x, m)));
    },
    'any',
  ),
  pick: def(
    ['map'],
    (ctx, d, ...keys) => {
      const out = newMap();
      ctx.budget.step(keys.length);
      for (const k of keys as string[])
        if (d && Object.hasOwn(d as GoMap, k)) setEntry(out, k, (d as GoMap)[k]);
      return out;
    },
    'string',
  ),
  omit: def(
    ['map'],
    (ctx, d, ...keys) => {
      const out = newMap();
      const omitted = new Set(keys as string[]);
      const entries = Object.entries((d as GoMap | null) ?? newMap());
      ctx.budget.step(entries.length);
      for (const [k, v] of entries) if (!omitted.has(k)) setEntry(out, k, v);
      return out;
    },
    'string',
  ),
  ...regexFunctions(''),
  ...regexFunctions('must'),
  regexMatch: def(['string', 'string'], (_c, re, s) => {
    let compiled;
    try {
      compiled = compileRegexp(re as string);
    } catch {
      // Sprig ignores the compile error: an invalid pattern matches nothing.
      return false;
    }
    return compiled.test(s as string);
  }),
  mustRegexMatch: def(['string', 'string'], (_c, re, s) =>
    compileRegexp(re as string).test(s as string),
  ),
  regexQuoteMeta: def(['string'], (_c, s) => quoteMeta(s as string)),
  sha512sum: def(['string'], (_c, s) => hash('sha512', s as string, 'hex')),
  trimall: def(['string', 'string'], (_c, cut, s) => {
    const set = new Set(cut as string);
    const chars = [...(s as string)];
    let a = 0;
    let b = chars.length;
    while (a < b && set.has(chars[a]!)) a++;
    while (b > a && set.has(chars[b - 1]!)) b--;
    return chars.slice(a, b).join('');
  }),
  typeOf: def(['any'], (_c, v) => typeName(v)),
  kindOf: def(['any'], (_c, v) => reflectKind(v)),
  kindIs: def(['string', 'any'], (_c, k, v) => reflectKind(v) === k),
  typeIs: def(['string', 'any'], (_c, t, v) => typeName(v) === t),
};
