// Sprig's list and dict functions. Maps they create have no prototype, entries are read as own
// properties only, and every walk over items counts against the render's budget.
import {
  deepEqual,
  getEntry,
  isEmpty,
  isGoMap,
  newMap,
  reflectKind,
  setEntry,
  type GoMap,
} from '../go/values.js';
import { checkSize, meter, type Meter } from './limits.js';
import { strval } from './strings.js';
import { FunctionError, def, type CallContext, type GoFunction } from './types.js';

function asList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined)
    throw new FunctionError('runtime error: invalid memory address or nil pointer dereference');
  throw new FunctionError(`Cannot ${what} on type ${reflectKind(v)}`);
}

function requireMap(v: unknown): GoMap {
  if (v === null || v === undefined) throw new FunctionError('assignment to entry in nil map');
  return v as GoMap;
}

/** A copy of `items` (the work counted as steps), refused when it would be too long. */
function copied(ctx: CallContext, what: string, length: number): void {
  checkSize(ctx, length, what, 'items');
  ctx.budget.step(length, `${what}: items copied`);
}

/** mergo.Merge without overwrite: fills keys dst lacks (or has empty), recursing into maps. */
function mergeInto(d: GoMap, s: GoMap, m: Meter): void {
  m.enter();
  const keys = Object.keys(s);
  m.step(keys.length);
  for (const k of keys) {
    const v = s[k];
    const cur = getEntry(d, k);
    if (isGoMap(cur) && isGoMap(v)) mergeInto(cur, v, m);
    else if (!Object.hasOwn(d, k) || isEmpty(cur)) setEntry(d, k, v);
  }
  m.leave();
}

function merge(ctx: CallContext, dst: unknown, srcs: unknown[]): unknown {
  const d = (dst ?? newMap()) as GoMap;
  const m = meter(ctx, 'merge', 'items');
  for (const s of srcs) if (s) mergeInto(d, s as GoMap, m);
  return d;
}

function uniq(ctx: CallContext, l: unknown): unknown[] {
  const m = meter(ctx, 'uniq', 'items');
  const out: unknown[] = [];
  for (const x of asList(l, 'find uniq')) if (!out.some((y) => deepEqual(x, y, m))) out.push(x);
  return out;
}

export const listFunctions: Record<string, GoFunction> = {
  list: def([], (_c, ...xs) => xs, 'any'),
  dict: def(
    [],
    (ctx, ...xs) => {
      const d = newMap();
      const m = meter(ctx, 'dict');
      for (let i = 0; i < xs.length; i += 2)
        setEntry(d, strval(xs[i], m), i + 1 < xs.length ? xs[i + 1] : '');
      return d;
    },
    'any',
  ),
  get: def(['map', 'string'], (_c, d, k) =>
    d && Object.hasOwn(d as GoMap, k as string) ? (d as GoMap)[k as string] : '',
  ),
  set: def(['map', 'string', 'any'], (_c, d, k, v) => {
    setEntry(requireMap(d), k as string, v);
    return d;
  }),
  unset: def(['map', 'string'], (_c, d, k) => {
    if (d && Object.hasOwn(d as GoMap, k as string)) delete (d as GoMap)[k as string];
    return d;
  }),
  hasKey: def(['map', 'string'], (_c, d, k) => !!d && Object.hasOwn(d as GoMap, k as string)),
  // Go's map order is random; sorted is one of the orders Go may produce, and deterministic.
  keys: def(
    [],
    (ctx, ...ds) => {
      const out: string[] = [];
      for (const d of ds) {
        if (!d) continue;
        const ks = Object.keys(d as GoMap);
        copied(ctx, 'keys', out.length + ks.length);
        for (const k of ks.sort()) out.push(k);
      }
      return out;
    },
    'map',
  ),
  values: def(['map'], (ctx, d) => {
    if (!d) return [];
    const ks = Object.keys(d as GoMap);
    copied(ctx, 'values', ks.length);
    return ks.sort().map((k) => (d as GoMap)[k]);
  }),
  merge: def(['map'], (ctx, dst, ...srcs) => merge(ctx, dst, srcs), 'map'),
  pluck: def(
    ['string'],
    (ctx, key, ...ds) => {
      ctx.budget.step(ds.length);
      return ds
        .filter((d) => d && Object.hasOwn(d as GoMap, key as string))
        .map((d) => (d as GoMap)[key as string]);
    },
    'map',
  ),
  first: def(['any'], (_c, l) => asList(l, 'find first')[0] ?? null),
  last: def(['any'], (_c, l) => {
    const a = asList(l, 'find last');
    return a.length ? a[a.length - 1] : null;
  }),
  rest: def(['any'], (ctx, l) => {
    const a = asList(l, 'find rest');
    copied(ctx, 'rest', a.length);
    return a.slice(1);
  }),
  initial: def(['any'], (ctx, l) => {
    const a = asList(l, 'find initial');
    copied(ctx, 'initial', a.length);
    return a.slice(0, -1);
  }),
  uniq: def(['any'], (ctx, l) => uniq(ctx, l)),
  has: def(['any', 'any'], (ctx, needle, hay) => {
    if (hay === null || hay === undefined) return false;
    const m = meter(ctx, 'has', 'items');
    return asList(hay, 'find has').some((x) => deepEqual(needle, x, m));
  }),
  compact: def(['any'], (ctx, l) => {
    const a = asList(l, 'compact');
    ctx.budget.step(a.length);
    return a.filter((x) => !isEmpty(x));
  }),
  append: def(['any', 'any'], (ctx, l, v) => {
    const a = asList(l, 'push');
    copied(ctx, 'append', a.length + 1);
    return [...a, v];
  }),
  prepend: def(['any', 'any'], (ctx, l, v) => {
    const a = asList(l, 'prepend');
    copied(ctx, 'prepend', a.length + 1);
    return [v, ...a];
  }),
  sortAlpha: def(['any'], (ctx, l) => {
    const m = meter(ctx, 'sortAlpha');
    if (Array.isArray(l)) {
      ctx.budget.step(l.length);
      return l.map((x) => strval(x, m)).sort();
    }
    return l === null || l === undefined ? [] : [strval(l, m)];
  }),
  concat: def(
    [],
    (ctx, ...ls) => {
      let length = 0;
      for (const l of ls) {
        if (!Array.isArray(l))
          throw new FunctionError(`Cannot concat type ${reflectKind(l, 'ptr')} as list`);
        length += l.length;
      }
      copied(ctx, 'concat', length);
      const out: unknown[] = [];
      for (const l of ls as unknown[][]) for (const x of l) out.push(x);
      return out;
    },
    'any',
  ),
};
