// Sprig's list and dict functions.
import { deepEqual, isEmpty, isGoMap, reflectKind, setEntry, type GoMap } from '../go/values.js';
import { strval } from './strings.js';
import { FunctionError, def, type GoFunction } from './types.js';

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

function merge(dst: unknown, ...srcs: unknown[]): unknown {
  // mergo.Merge without overwrite: fills keys dst lacks (or has empty), recursing into maps.
  const into = (d: GoMap, s: GoMap) => {
    for (const [k, v] of Object.entries(s)) {
      const cur = d[k];
      if (isGoMap(cur) && isGoMap(v)) into(cur, v);
      else if (!Object.hasOwn(d, k) || isEmpty(cur)) setEntry(d, k, v);
    }
  };
  const d = (dst ?? {}) as GoMap;
  for (const s of srcs) if (s) into(d, s as GoMap);
  return d;
}

export const listFunctions: Record<string, GoFunction> = {
  list: def([], (_c, ...xs) => xs, 'any'),
  dict: def(
    [],
    (_c, ...xs) => {
      const d: GoMap = {};
      for (let i = 0; i < xs.length; i += 2)
        setEntry(d, strval(xs[i]), i + 1 < xs.length ? xs[i + 1] : '');
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
    if (d) delete (d as GoMap)[k as string];
    return d;
  }),
  hasKey: def(['map', 'string'], (_c, d, k) => !!d && Object.hasOwn(d as GoMap, k as string)),
  // Go's map order is random; sorted is one of the orders Go may produce, and deterministic.
  keys: def([], (_c, ...ds) => ds.flatMap((d) => (d ? Object.keys(d as GoMap).sort() : [])), 'map'),
  values: def(['map'], (_c, d) =>
    d
      ? Object.keys(d as GoMap)
          .sort()
          .map((k) => (d as GoMap)[k])
      : [],
  ),
  merge: def(['map'], (_c, dst, ...srcs) => merge(dst, ...srcs), 'map'),
  pluck: def(
    ['string'],
    (_c, key, ...ds) =>
      ds
        .filter((d) => d && Object.hasOwn(d as GoMap, key as string))
        .map((d) => (d as GoMap)[key as string]),
    'map',
  ),
  first: def(['any'], (_c, l) => asList(l, 'find first')[0] ?? null),
  last: def(['any'], (_c, l) => {
    const a = asList(l, 'find last');
    return a.length ? a[a.length - 1] : null;
  }),
  rest: def(['any'], (_c, l) => asList(l, 'find rest').slice(1)),
  initial: def(['any'], (_c, l) => asList(l, 'find initial').slice(0, -1)),
  uniq: def(['any'], (_c, l) => {
    const out: unknown[] = [];
    for (const x of asList(l, 'find uniq')) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  }),
  has: def(['any', 'any'], (_c, needle, hay) =>
    hay === null || hay === undefined
      ? false
      : asList(hay, 'find has').some((x) => deepEqual(needle, x)),
  ),
  compact: def(['any'], (_c, l) => asList(l, 'compact').filter((x) => !isEmpty(x))),
  append: def(['any', 'any'], (_c, l, v) => [...asList(l, 'push'), v]),
  prepend: def(['any', 'any'], (_c, l, v) => [v, ...asList(l, 'prepend')]),
  sortAlpha: def(['any'], (_c, l) => {
    if (Array.isArray(l)) return l.map(strval).sort();
    return l === null || l === undefined ? [] : [strval(l)];
  }),
  concat: def(
    [],
    (_c, ...ls) => {
      const out: unknown[] = [];
      for (const l of ls) {
        if (!Array.isArray(l))
          throw new FunctionError(`Cannot concat type ${reflectKind(l, 'ptr')} as list`);
        out.push(...(l as unknown[]));
      }
      return out;
    },
    'any',
  ),
};
