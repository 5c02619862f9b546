// Conversions of nunjucks-syntax values (to text, to primitives, to JSON) that count what they do
// against the render's budget. JavaScript turns a list into text by joining its items,
// recursively, so a list doubled forty times — a few bytes to build, since every level holds the
// same list twice — would be 2^40 items written out. Every conversion a template can trigger goes
// through these functions instead of JavaScript's implicit ones.
import nunjucks from 'nunjucks';
import { RenderBudgetError, type RenderBudget } from './budget.js';
import { isGoMap } from './go/values.js';
import { SandboxViolationError } from './sandbox.js';

export const SafeString = nunjucks.runtime.SafeString;
export type SafeString = nunjucks.runtime.SafeString;

/** A value that is neither an object nor a function. */
export type Primitive = string | number | boolean | bigint | symbol | null | undefined;

function isObjectLike(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/**
 * Counts what a walk produces (characters and items) and how deep it goes, and charges every
 * visited item to the render's steps: shared references count each time they are met.
 */
class Walk {
  private size = 0;
  private depth = 0;
  constructor(
    private readonly budget: RenderBudget,
    private readonly what: string,
  ) {}
  add(n: number): void {
    this.size += n;
    this.budget.value(this.size, this.what);
  }
  enter(): void {
    this.budget.step(1, `${this.what}: items visited`);
    if (++this.depth > this.budget.limits.maxDepth)
      throw new RenderBudgetError(
        'depth',
        this.budget.limits.maxDepth,
        `${this.what}: value nests deeper than ${this.budget.limits.maxDepth} levels`,
      );
  }
  leave(): void {
    this.depth--;
  }
}

/**
 * The text of a value as a nunjucks template prints it (JavaScript's String(), with null and
 * undefined as ""), counted: characters against maxValueSize, list items against the steps.
 * Functions are not printable (their text is our source code).
 */
export function toText(v: unknown, budget: RenderBudget, what = 'output'): string {
  if (typeof v === 'string') return v;
  if (!isObjectLike(v)) return v === null || v === undefined ? '' : String(v);
  const out: string[] = [];
  textInto(v, new Walk(budget, what), out);
  return out.join('');
}

function textInto(v: unknown, walk: Walk, out: string[]): void {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (v === null || v === undefined) s = '';
  else if (!isObjectLike(v)) s = String(v);
  else if (Array.isArray(v)) {
    walk.enter();
    for (let i = 0; i < v.length; i++) {
      if (i > 0) {
        out.push(',');
        walk.add(1);
      }
      textInto(v[i], walk, out);
    }
    walk.leave();
    return;
  } else s = objectText(v);
  walk.add(s.length);
  out.push(s);
}

/** The text of one non-list object: our own value classes print themselves, maps as JS does. */
function objectText(v: object): string {
  if (typeof v === 'function')
    throw new SandboxViolationError('templates cannot print or convert functions');
  if (v instanceof SafeString) return v.val;
  if (isGoMap(v)) return '[object Object]';
  // Value classes of the function library (Float64, Int64, GoTime, …): their own toString.
  return String(v);
}

/**
 * The primitive JavaScript would convert a value to in arithmetic and comparisons (ToPrimitive),
 * computed with the budget: lists become their text, value classes their valueOf().
 */
export function toPrimitive(v: unknown, budget: RenderBudget, what: string): Primitive {
  if (!isObjectLike(v)) return v as Primitive;
  if (typeof v === 'function')
    throw new SandboxViolationError('templates cannot print or convert functions');
  if (Array.isArray(v)) return toText(v, budget, what);
  if (v instanceof SafeString) return v.val;
  if (isGoMap(v)) return '[object Object]';
  const p: unknown = (v as { valueOf(): unknown }).valueOf();
  return isObjectLike(p) ? String(v) : (p as Primitive);
}

/**
 * Measures a value (characters of its strings, items of its lists and maps) before a filter of
 * nunjucks' own converts or copies it; fails when it exceeds maxValueSize. Each visited list or
 * map counts one step, so repeating the check in a loop is bounded by the step budget.
 */
export function checkValueSize(v: unknown, budget: RenderBudget, what: string): void {
  if (typeof v === 'string') {
    budget.value(v.length, what);
    return;
  }
  if (!isObjectLike(v)) return;
  measure(v, new Walk(budget, what));
}

function measure(v: unknown, walk: Walk): void {
  if (typeof v === 'string') walk.add(v.length);
  else if (!isObjectLike(v)) walk.add(1);
  else if (Array.isArray(v)) {
    walk.enter();
    walk.add(1);
    for (const x of v) measure(x, walk);
    walk.leave();
  } else if (isGoMap(v)) {
    walk.enter();
    walk.add(1);
    for (const k of Object.keys(v)) {
      walk.add(k.length);
      measure(v[k], walk);
    }
    walk.leave();
  } else if (v instanceof SafeString) walk.add(v.val.length);
  else walk.add(1);
}

/**
 * JSON.stringify(value, null, indent) for `dump`, built piece by piece so that the size is
 * checked as it grows (indentation multiplies with depth, and shared lists with doubling).
 * Own properties only; functions and undefined are left out as JSON.stringify does.
 */
export function toJsonText(value: unknown, indent: number, budget: RenderBudget): string {
  const walk = new Walk(budget, 'dump');
  const out: string[] = [];
  const pad = ' '.repeat(Math.max(0, Math.min(10, Math.trunc(indent) || 0)));
  const emit = (s: string) => {
    walk.add(s.length);
    out.push(s);
  };
  const write = (v: unknown, level: number): boolean => {
    if (v instanceof SafeString) v = v.val;
    else if (isObjectLike(v) && typeof v !== 'function' && !Array.isArray(v) && !isGoMap(v)) {
      // Value classes (Float64, Int64, GoTime): their primitive, else their text.
      const p: unknown = (v as { valueOf(): unknown }).valueOf();
      v = isObjectLike(p) ? String(v) : p;
    }
    if (typeof v === 'function' || v === undefined || typeof v === 'symbol') return false;
    if (!isObjectLike(v)) {
      emit(typeof v === 'bigint' ? String(v) : (JSON.stringify(v) ?? 'null'));
      return true;
    }
    const open = Array.isArray(v) ? '[' : '{';
    const close = Array.isArray(v) ? ']' : '}';
    const map = v as Record<string, unknown>;
    const entries: [string | undefined, unknown][] = Array.isArray(v)
      ? v.map((x): [undefined, unknown] => [undefined, x])
      : Object.keys(map).map((k): [string, unknown] => [k, map[k]]);
    walk.enter();
    emit(open);
    let first = true;
    const nl = pad ? `\n${pad.repeat(level + 1)}` : '';
    for (const [k, x] of entries) {
      if (k !== undefined && (typeof x === 'function' || x === undefined)) continue;
      emit(first ? nl : `,${nl}`);
      if (k !== undefined) emit(JSON.stringify(k) + (pad ? ': ' : ':'));
      if (!write(x, level + 1)) emit('null');
      first = false;
    }
    if (!first && pad) emit(`\n${pad.repeat(level)}`);
    emit(close);
    walk.leave();
    return true;
  };
  if (!write(value, 0)) return '';
  return out.join('');
}

/** `==` on primitives, as JavaScript does it (null and undefined equal only each other). */
export function looseEquals(x: Primitive, y: Primitive): boolean {
  if (x == null || y == null) return x == null && y == null;
  if (typeof x === typeof y) return x === y;
  return Number(x) === Number(y);
}

/** `<` on primitives, as JavaScript does it: texts by code units, anything else as numbers. */
export function lessThan(x: Primitive, y: Primitive): boolean {
  return typeof x === 'string' && typeof y === 'string' ? x < y : Number(x) < Number(y);
}

/** `<=` on primitives (not the negation of `>`: NaN is neither). */
export function lessOrEqual(x: Primitive, y: Primitive): boolean {
  return typeof x === 'string' && typeof y === 'string' ? x <= y : Number(x) <= Number(y);
}
