// text/template's built-in functions: not, len, index, print*, and the comparisons.
import { sprint, sprintf, sprintln } from '../go/fmt.js';
import {
  GoTime,
  Int64,
  isGoMap,
  kindOf,
  numberOf,
  truth,
  typeName,
  type GoMap,
} from '../go/values.js';
import { meter } from './limits.js';
import { byteLength } from './strings.js';
import { FunctionError, def, type GoFunction } from './types.js';

const enc = new TextEncoder();

function goLen(v: unknown): number {
  if (typeof v === 'string') return byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isGoMap(v)) return Object.keys(v).length;
  if (v === null || v === undefined) throw new FunctionError('len of nil pointer');
  throw new FunctionError(`len of type ${typeName(v)}`);
}

function intIndex(idx: unknown, what: string): number {
  if (idx === null || idx === undefined) throw new FunctionError(`cannot index ${what} with nil`);
  if (typeof idx === 'number' || idx instanceof Int64) return numberOf(idx)!;
  throw new FunctionError(`cannot index ${what} with type ${typeName(idx)}`);
}

export function goIndex(item: unknown, ...indices: unknown[]): unknown {
  if (item === null || item === undefined) throw new FunctionError('index of untyped nil');
  let cur: unknown = item;
  for (const idx of indices) {
    if (cur === null || cur === undefined) throw new FunctionError('index of nil pointer');
    if (Array.isArray(cur) || typeof cur === 'string') {
      const i = intIndex(idx, 'slice/array');
      const len = typeof cur === 'string' ? byteLength(cur) : cur.length;
      if (i < 0 || i >= len) throw new FunctionError(`index out of range: ${i}`);
      cur = typeof cur === 'string' ? enc.encode(cur)[i]! : cur[i];
    } else if (isGoMap(cur)) {
      if (idx === null || idx === undefined)
        throw new FunctionError('value is nil; should be of type string');
      if (typeof idx !== 'string')
        throw new FunctionError(`value has type ${typeName(idx)}; should be string`);
      cur = Object.hasOwn(cur, idx) ? (cur as GoMap)[idx] : null;
    } else {
      throw new FunctionError(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur;
}

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : 'invalid';
}

const BAD_COMPARISON = 'incompatible types for comparison';

function eq2(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  const nilA = a === null || a === undefined;
  const nilB = b === null || b === undefined;
  if (ka !== kb) {
    if (!nilA && !nilB) throw new FunctionError(BAD_COMPARISON);
    return false;
  }
  switch (ka) {
    case 'bool':
    case 'string':
      return a === b;
    case 'int':
    case 'float':
      return numberOf(a) === numberOf(b);
    default: {
      if (nilA || nilB) return nilA && nilB;
      if (a instanceof GoTime && b instanceof GoTime)
        return a.epochMs === b.epochMs && a.zone === b.zone;
      if (typeName(a) !== typeName(b))
        throw new FunctionError(`non-comparable types ${typeName(a)}, ${typeName(b)}`);
      throw new FunctionError(`non-comparable type ${typeName(a)}`);
    }
  }
}

export function goEq(a: unknown, ...others: unknown[]): boolean {
  if (others.length === 0) throw new FunctionError('missing argument for comparison');
  return others.some((b) => eq2(a, b));
}

export function goLt(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'invalid' || kb === 'invalid' || ka === 'bool' || kb === 'bool')
    throw new FunctionError('invalid type for comparison');
  if (ka !== kb) throw new FunctionError(BAD_COMPARISON);
  if (ka === 'string') return (a as string) < (b as string);
  return numberOf(a)! < numberOf(b)!;
}

export const builtinFunctions: Record<string, GoFunction> = {
  not: def(['any'], (_c, v) => !truth(v)),
  and: def(
    ['any'],
    (_c, a, ...xs) => {
      if (!truth(a)) return a;
      for (const [i, x] of xs.entries()) if (!truth(x) || i === xs.length - 1) return x;
      return a;
    },
    'any',
  ),
  or: def(
    ['any'],
    (_c, a, ...xs) => {
      if (truth(a)) return a;
      for (const [i, x] of xs.entries()) if (truth(x) || i === xs.length - 1) return x;
      return a;
    },
    'any',
  ),
  len: def(['any'], (_c, v) => goLen(v)),
  index: def(['any'], (_c, item, ...idx) => goIndex(item, ...idx), 'any'),
  print: def([], (ctx, ...xs) => sprint(xs, meter(ctx, 'print')), 'any'),
  printf: def(['string'], (ctx, f, ...xs) => sprintf(f as string, xs, meter(ctx, 'printf')), 'any'),
  println: def([], (ctx, ...xs) => sprintln(xs, meter(ctx, 'println')), 'any'),
  eq: def(['any'], (_c, a, ...xs) => goEq(a, ...xs), 'any'),
  ne: def(['any', 'any'], (_c, a, b) => !goEq(a, b)),
  lt: def(['any', 'any'], (_c, a, b) => goLt(a, b)),
  le: def(['any', 'any'], (_c, a, b) => goLt(a, b) || goEq(a, b)),
  gt: def(['any', 'any'], (_c, a, b) => !(goLt(a, b) || goEq(a, b))),
  ge: def(['any', 'any'], (_c, a, b) => !goLt(a, b)),
};
