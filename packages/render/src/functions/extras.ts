// Further Sprig functions that manifests use: conversions, sequences, list/dict selection,
// regex search, sha512 and type inspection.
import { hash } from 'node:crypto';
import { formatValue } from '../go/fmt.js';
import {
  Int64,
  deepEqual,
  reflectKind,
  setEntry,
  toInt64,
  typeName,
  type GoMap,
} from '../go/values.js';
import { goRegExp, strslice, strval } from './strings.js';
import { FunctionError, def, type GoFunction } from './types.js';

function listOf(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new FunctionError(`Cannot find ${what} on type ${reflectKind(v)}`);
}

const MAX_SEQUENCE = 1_000_000;

function untilStep(start: number, stop: number, step: number): number[] {
  if (step !== 0 && Math.abs((stop - start) / step) > MAX_SEQUENCE)
    throw new FunctionError(`sequences are limited to ${MAX_SEQUENCE} items`);
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

export const extraFunctions: Record<string, GoFunction> = {
  toString: def(['any'], (_c, v) => strval(v)),
  toStrings: def(['any'], (_c, v) => strslice(v)),
  cat: def(
    [],
    (_c, ...xs) =>
      xs
        .filter((x) => x !== null && x !== undefined)
        .map(formatValue)
        .join(' '),
    'any',
  ),
  add1: def(['any'], (_c, v) => new Int64(toInt64(v) + 1)),
  biggest: def(
    ['any'],
    (_c, a, ...xs) => new Int64(xs.reduce<number>((m, x) => Math.max(m, toInt64(x)), toInt64(a))),
    'any',
  ),
  until: def(['int'], (_c, n) => untilStep(0, n as number, (n as number) < 0 ? -1 : 1)),
  untilStep: def(['int', 'int', 'int'], (_c, a, b, s) =>
    untilStep(a as number, b as number, s as number),
  ),
  reverse: def(['any'], (_c, l) => [...listOf(l, 'reverse')].reverse()),
  without: def(
    ['any'],
    (_c, l, ...omit) => listOf(l, 'without').filter((x) => !omit.some((o) => deepEqual(o, x))),
    'any',
  ),
  pick: def(
    ['map'],
    (_c, d, ...keys) => {
      const out: GoMap = {};
      for (const k of keys as string[])
        if (d && Object.hasOwn(d as GoMap, k)) setEntry(out, k, (d as GoMap)[k]);
      return out;
    },
    'string',
  ),
  omit: def(
    ['map'],
    (_c, d, ...keys) => {
      const out: GoMap = {};
      for (const [k, v] of Object.entries((d as GoMap | null) ?? {}))
        if (!(keys as string[]).includes(k)) setEntry(out, k, v);
      return out;
    },
    'string',
  ),
  regexFind: def(
    ['string', 'string'],
    (_c, re, s) => goRegExp(re as string).exec(s as string)?.[0] ?? '',
  ),
  regexFindAll: def(['string', 'string', 'int'], (_c, re, s, n) => {
    const all = [...(s as string).matchAll(goRegExp(re as string, true))].map((m) => m[0]);
    return (n as number) < 0 ? all : all.slice(0, n as number);
  }),
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
