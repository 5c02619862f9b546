// The filters, tests and globals of the nunjucks syntax, in maps without prototypes that are
// frozen once at load: nothing a render does changes what the next one sees, and no name a
// template writes (`valueOf`, `constructor`, …) resolves to anything inherited.
//
// Filters and globals: every library function (filters take the filtered value last, as a Go
// pipeline), plus those of nunjucks' own filters that are safe to offer — each wrapped so that
// what it converts or builds is measured against the render's budget first. Nunjucks' `striptags`
// and `urlize` are left out: their regular expressions take quadratic time on crafted input.
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';
import type { RenderBudget } from './budget.js';
import { TemplateFailure } from './functions/defaults.js';
import { FUNCTIONS, callFunction } from './functions/library.js';
import { FunctionError } from './functions/types.js';
import { Float64, isGoMap } from './go/values.js';
import {
  SafeString,
  checkValueSize,
  lessOrEqual,
  lessThan,
  toJsonText,
  toPrimitive,
  toText,
  type Primitive,
} from './native-values.js';
import { renderStateOf, type NativeEnvironment } from './native-runtime.js';
import { SandboxViolationError, isForbiddenName, memberLookup } from './sandbox.js';

type Callable = (this: unknown, ...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);
// Nunjucks' own filter implementations: a plain CommonJS module of the package.
const nunjucksFilters = require('nunjucks/src/filters.js') as Record<string, Callable>;
const makeMacro = (
  nunjucks.runtime as unknown as {
    makeMacro(argNames: string[], kwargNames: string[], fn: Callable): Callable;
  }
).makeMacro;

/** The name reading variables that may be missing (see compile-native.ts). */
export const PROBE_FUNCTION = '__probe';

function table(entries: Record<string, Callable>): Readonly<Record<string, Callable>> {
  const t = Object.create(null) as Record<string, Callable>;
  for (const [k, fn] of Object.entries(entries)) t[k] = Object.freeze(fn);
  return Object.freeze(t);
}

function budgetOf(context: unknown): RenderBudget {
  return renderStateOf(context).budget;
}

function prim(v: unknown, budget: RenderBudget, what: string): Primitive {
  return toPrimitive(v, budget, what);
}

// ---- the function library ----

function nativeArg(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'number' && !Number.isInteger(v)) return new Float64(v);
  if (v instanceof SafeString) return v.val;
  return v;
}

function callLibrary(context: unknown, name: string, args: unknown[]): unknown {
  const { call } = renderStateOf(context);
  try {
    return callFunction(call, name, FUNCTIONS[name]!, args.map(nativeArg));
  } catch (err) {
    if (err instanceof FunctionError) {
      const Wrapper = err instanceof TemplateFailure ? TemplateFailure : FunctionError;
      throw new Wrapper(`error calling ${name}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

const libraryGlobals: Record<string, Callable> = {};
const libraryFilters: Record<string, Callable> = {};
for (const name of Object.keys(FUNCTIONS)) {
  libraryGlobals[name] = function (this: unknown, ...args: unknown[]) {
    return callLibrary(this, name, args);
  };
  libraryFilters[name] = function (this: unknown, value: unknown, ...args: unknown[]) {
    budgetOf(this).step(1, 'filter calls');
    return callLibrary(this, name, [...args, value]);
  };
}

// ---- nunjucks' own filters ----

/**
 * One of nunjucks' filters, run on measured arguments: every argument (and the result, for those
 * that build text) is checked against maxValueSize, and `check` refuses sizes the filter would
 * build from a number argument (`center(500000000)`). The original never sees the render's
 * context.
 */
function nunjucksFilter(
  name: string,
  options: { check?: (budget: RenderBudget, args: unknown[]) => void; measure?: boolean } = {},
): Callable {
  const original = nunjucksFilters[name]!;
  const measure = options.measure ?? true;
  return function (this: unknown, ...args: unknown[]) {
    const budget = budgetOf(this);
    budget.step(1, 'filter calls');
    if (measure) for (const a of args) checkValueSize(a, budget, name);
    options.check?.(budget, args);
    const result = original(...args);
    if (measure) checkValueSize(result, budget, name);
    return result;
  };
}

function countArg(args: unknown[], i: number): number {
  const v = args[i];
  return typeof v === 'number' ? v : Number(v);
}

function listOf(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v instanceof SafeString) return [...v.val];
  if (v === null || v === undefined) return [];
  throw new SandboxViolationError(`${what} needs a list, got ${Object.prototype.toString.call(v)}`);
}

/** item.attr.sub as templates may read it: own entries only, prototype names refused. */
function attribute(item: unknown, attr: unknown): unknown {
  if (typeof attr !== 'string') return memberLookup(item, attr);
  let v = item;
  for (const part of attr.split('.')) v = memberLookup(v, part);
  return v;
}

const builtinFilters: Record<string, Callable> = {
  abs: nunjucksFilter('abs'),
  capitalize: nunjucksFilter('capitalize'),
  center: nunjucksFilter('center', {
    check: (budget, args) => {
      const width = countArg(args, 1);
      if (width > String(args[0] ?? '').length) budget.value(width, 'center');
    },
  }),
  d: nunjucksFilter('d', { measure: false }),
  escape: nunjucksFilter('escape'),
  e: nunjucksFilter('e'),
  forceescape: nunjucksFilter('forceescape'),
  safe: nunjucksFilter('safe', { measure: false }),
  length: nunjucksFilter('length', { measure: false }),
  nl2br: nunjucksFilter('nl2br'),
  string: nunjucksFilter('string'),
  truncate: nunjucksFilter('truncate'),
  urlencode: nunjucksFilter('urlencode'),
  wordcount: nunjucksFilter('wordcount'),
  batch: nunjucksFilter('batch', {
    measure: false,
    check: (budget, args) => {
      budget.step(listOf(args[0], 'batch').length, 'batch: items');
      const size = countArg(args, 1);
      if (args[2] !== undefined && size > 0) budget.value(size, 'batch');
    },
  }),
  slice: nunjucksFilter('slice', {
    measure: false,
    check: (budget, args) => {
      budget.step(listOf(args[0], 'slice').length, 'slice: items');
      const slices = countArg(args, 1);
      if (slices > 0) budget.value(slices, 'slice');
    },
  }),

  dump(this: unknown, value: unknown, spaces?: unknown) {
    const budget = budgetOf(this);
    budget.step(1, 'filter calls');
    return toJsonText(value, Number(spaces) || 0, budget);
  },

  random(this: unknown, list: unknown) {
    const { call, budget } = renderStateOf(this);
    budget.step(1, 'filter calls');
    if (!Array.isArray(list) || list.length === 0) return list;
    return list[Math.floor(call.random() * list.length)];
  },

  select: selectFilter('select', true),
  reject: selectFilter('reject', false),

  selectattr(this: unknown, list: unknown, attr: unknown) {
    const budget = budgetOf(this);
    const items = listOf(list, 'selectattr');
    budget.step(1 + items.length, 'selectattr: items');
    return items.filter((x) => !!attribute(x, attr));
  },
  rejectattr(this: unknown, list: unknown, attr: unknown) {
    const budget = budgetOf(this);
    const items = listOf(list, 'rejectattr');
    budget.step(1 + items.length, 'rejectattr: items');
    return items.filter((x) => !attribute(x, attr));
  },

  groupby(this: unknown, list: unknown, attr: unknown) {
    const budget = budgetOf(this);
    const items = listOf(list, 'groupby');
    budget.step(1 + items.length, 'groupby: items');
    const groups = Object.create(null) as Record<string, unknown[]>;
    for (const item of items) {
      const v = attribute(item, attr);
      if (v === undefined)
        throw new SandboxViolationError(
          `groupby: attribute "${String(attr)}" resolved to undefined`,
        );
      const key = toText(v, budget, 'groupby');
      (groups[key] ??= []).push(item);
    }
    return groups;
  },

  sum(this: unknown, list: unknown, attr?: unknown, start?: unknown) {
    const budget = budgetOf(this);
    const items = listOf(list, 'sum');
    budget.step(1 + items.length, 'sum: items');
    let total: Primitive = start === undefined ? 0 : prim(start, budget, 'sum');
    for (const item of items) {
      const v = prim(attr === undefined ? item : attribute(item, attr), budget, 'sum');
      if (typeof total === 'string' || typeof v === 'string') {
        const s = String(total) + String(v);
        budget.value(s.length, 'sum');
        total = s;
      } else total = Number(total) + Number(v);
    }
    return total;
  },

  sort: makeMacro(
    ['value', 'reverse', 'case_sensitive', 'attribute'],
    [],
    function (
      this: unknown,
      list: unknown,
      reverse: unknown,
      caseSensitive: unknown,
      attr: unknown,
    ) {
      const budget = budgetOf(this);
      budget.step(1, 'filter calls');
      const key = (item: unknown): Primitive => {
        const v = attr ? attribute(item, attr) : item;
        if (attr && v === undefined)
          throw new SandboxViolationError(
            `sort: attribute "${String(attr)}" resolved to undefined`,
          );
        const p = prim(v, budget, 'sort');
        return !caseSensitive && typeof p === 'string' ? p.toLowerCase() : p;
      };
      const keyed = listOf(list, 'sort').map((item) => ({ item, k: key(item) }));
      keyed.sort((a, b) => {
        budget.step(1, 'sort comparisons');
        const order = lessThan(a.k, b.k) ? -1 : lessThan(b.k, a.k) ? 1 : 0;
        return reverse ? -order : order;
      });
      return keyed.map((x) => x.item);
    },
  ),

  dictsort(this: unknown, map: unknown, caseSensitive?: unknown, by?: unknown) {
    const budget = budgetOf(this);
    if (!isGoMap(map)) throw new SandboxViolationError('dictsort filter: val must be an object');
    if (by !== undefined && by !== 'key' && by !== 'value')
      throw new SandboxViolationError('dictsort filter: You can only sort by either key or value');
    const index = by === 'value' ? 1 : 0;
    const pairs: [string, unknown][] = Object.keys(map).map((k) => [k, map[k]]);
    budget.step(1 + pairs.length, 'dictsort: items');
    const key = (v: unknown): Primitive => {
      const p = prim(v, budget, 'dictsort');
      return !caseSensitive && typeof p === 'string' ? p.toUpperCase() : p;
    };
    const keyed = pairs.map((pair) => ({ pair, k: key(pair[index]) }));
    keyed.sort((a, b) => {
      budget.step(1, 'sort comparisons');
      return lessThan(b.k, a.k) ? 1 : a.k === b.k ? 0 : -1;
    });
    return keyed.map((x) => x.pair);
  },
};

function selectFilter(name: string, keep: boolean): Callable {
  return function (this: unknown, list: unknown, testName: unknown = 'truthy', arg?: unknown) {
    const budget = budgetOf(this);
    const items = listOf(list, name);
    budget.step(1 + items.length, `${name}: items`);
    const test = nativeEnvironment.getTest(String(testName));
    return items.filter((x) => test.call(this, x, arg) === keep);
  };
}

// ---- tests (`x is odd`) ----

function numeric(context: unknown, v: unknown, what: string): number {
  return Number(prim(v, budgetOf(context), what));
}

const TESTS = table({
  callable: (v) => typeof v === 'function',
  defined: (v) => v !== undefined,
  undefined: (v) => v === undefined,
  null: (v) => v === null,
  escaped: (v) => v instanceof SafeString,
  equalto: (a, b) => a === b,
  eq: (a, b) => a === b,
  sameas: (a, b) => a === b,
  ne: (a, b) => a !== b,
  truthy: (v) => !!v,
  falsy: (v) => !v,
  number: (v) => typeof v === 'number' || v instanceof Float64,
  string: (v) => typeof v === 'string' || v instanceof SafeString,
  lower: (v) => typeof v === 'string' && v.toLowerCase() === v,
  upper: (v) => typeof v === 'string' && v.toUpperCase() === v,
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || v instanceof SafeString,
  mapping: (v) => isGoMap(v),
  divisibleby(this: unknown, a: unknown, b: unknown) {
    return numeric(this, a, 'divisibleby') % numeric(this, b, 'divisibleby') === 0;
  },
  even(this: unknown, v: unknown) {
    return numeric(this, v, 'even') % 2 === 0;
  },
  odd(this: unknown, v: unknown) {
    return numeric(this, v, 'odd') % 2 === 1;
  },
  ...comparisonTests(),
});

function comparisonTests(): Record<string, Callable> {
  const test = (compare: (x: Primitive, y: Primitive) => boolean, what: string): Callable =>
    function (this: unknown, a: unknown, b: unknown) {
      const budget = budgetOf(this);
      return compare(prim(a, budget, what), prim(b, budget, what));
    };
  const lt = test((x, y) => lessThan(x, y), 'lt');
  const gt = test((x, y) => lessThan(y, x), 'gt');
  return {
    lt,
    lessthan: lt,
    gt,
    greaterthan: gt,
    le: test((x, y) => lessOrEqual(x, y), 'le'),
    ge: test((x, y) => lessOrEqual(y, x), 'ge'),
  };
}

// ---- globals ----

function range(this: unknown, start: unknown, stop?: unknown, step?: unknown): number[] {
  const budget = budgetOf(this);
  let from = numeric(this, start, 'range');
  let to: number;
  let by = 1;
  if (stop === undefined) {
    to = from;
    from = 0;
  } else {
    to = numeric(this, stop, 'range');
    by = numeric(this, step, 'range') || 1;
  }
  const count = Math.max(0, Math.ceil((to - from) / by));
  budget.value(count, 'range');
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = from + i * by;
  return out;
}

/**
 * cycler(a, b, …): an object whose next() returns the items in turn, and whose `current` is the
 * last one returned. Its methods are closures that ignore `this`, so whoever calls them (a loop
 * iterating the object hands them out as values) reaches nothing else.
 */
function cycler(...items: unknown[]): Record<string, unknown> {
  let index = -1;
  const state = Object.create(null) as Record<string, unknown>;
  state.current = null;
  state.reset = () => {
    index = -1;
    state.current = null;
    return '';
  };
  state.next = () => {
    index = items.length === 0 ? -1 : (index + 1) % items.length;
    state.current = index < 0 ? undefined : items[index];
    return state.current;
  };
  return state;
}

/** joiner(sep = ","): a function returning "" the first time and `sep` after. */
function joiner(sep: unknown = ','): () => unknown {
  let first = true;
  return () => {
    const out = first ? '' : sep;
    first = false;
    return out;
  };
}

const GLOBALS = table({
  ...libraryGlobals,
  range,
  cycler,
  joiner,
  // Reads a variable that may be missing (see compile-native.ts).
  [PROBE_FUNCTION](this: unknown, name: unknown) {
    if (isForbiddenName(name))
      throw new SandboxViolationError(`access to "${String(name)}" is not allowed in templates`);
    renderStateOf(this);
    const ctx = (this as { ctx: Record<string, unknown> }).ctx;
    return typeof name === 'string' && Object.hasOwn(ctx, name) ? ctx[name] : undefined;
  },
});

const FILTERS = table({ ...libraryFilters, ...builtinFilters });

/** Whether `name` is a filter of the nunjucks syntax. */
export function isNativeFilter(name: string): boolean {
  return Object.hasOwn(FILTERS, name);
}

/** Whether `name` is a test (`x is name`) of the nunjucks syntax. */
export function isNativeTest(name: string): boolean {
  return Object.hasOwn(TESTS, name);
}

/** The one environment every nunjucks-syntax render uses; frozen, like everything in it. */
export const nativeEnvironment: NativeEnvironment = Object.freeze({
  opts: Object.freeze({ autoescape: false as const, throwOnUndefined: true as const }),
  globals: GLOBALS,
  getFilter(name: string): Callable {
    if (!Object.hasOwn(FILTERS, name)) throw new SandboxViolationError(`unknown filter "${name}"`);
    return FILTERS[name]!;
  },
  getTest(name: string): Callable {
    if (!Object.hasOwn(TESTS, name)) throw new SandboxViolationError(`unknown test "${name}"`);
    return TESTS[name]!;
  },
});
