// Size and nesting checks for the values functions build. A template is untrusted: a function
// that could produce a large value checks the size it is about to produce first (never after
// building it), and walks over nested values count what they produce and how deep they go,
// so a structure doubled fifty times fails fast instead of filling the heap.
import {
  DEFAULT_RENDER_LIMITS,
  RenderBudgetError,
  type RenderBudget,
  type RenderLimits,
} from '../budget.js';
import { isGoMap } from '../go/values.js';
import type { CallContext } from './types.js';

function sizeText(size: number): string {
  return Number.isFinite(size) ? String(Math.ceil(size)) : 'unboundedly many';
}

/** The error for a value that would be larger than limits.maxValueSize. */
export function tooLarge(
  limits: RenderLimits,
  what: string,
  size: number,
  unit: string,
): RenderBudgetError {
  const max = limits.maxValueSize;
  return new RenderBudgetError(
    'value',
    max,
    `${what} would produce ${sizeText(size)} ${unit}, more than the ${max} a template value is ` +
      `limited to (limits.maxValueSize)`,
  );
}

/** Refuses, before it is built, a value of `size` characters or items. */
export function checkSize(ctx: CallContext, size: number, what: string, unit = 'characters'): void {
  if (!(size <= ctx.budget.limits.maxValueSize))
    throw tooLarge(ctx.budget.limits, what, size, unit);
}

/**
 * Counts what a walk over a nested value produces (characters or items) and how deeply it
 * nests. Shared references are walked each time they are met, so the count, not the number of
 * distinct objects, is what stops a doubled structure.
 */
export class Meter {
  private size = 0;
  private depth = 0;
  /** Pairs of containers deepEqual found equal in this call (see knownEqual). */
  private equalPairs?: Map<object, Set<object>>;
  constructor(
    readonly limits: RenderLimits,
    /** The function on whose behalf the walk runs, for messages. */
    readonly what: string,
    readonly unit = 'characters',
    private readonly budget?: RenderBudget,
  ) {}

  add(n: number): void {
    this.size += n;
    if (this.size > this.limits.maxValueSize)
      throw tooLarge(this.limits, this.what, this.size, `${this.unit} or more`);
  }

  enter(): void {
    if (++this.depth > this.limits.maxDepth) throw this.tooDeep();
  }

  tooDeep(): RenderBudgetError {
    return new RenderBudgetError(
      'depth',
      this.limits.maxDepth,
      `${this.what}: value nests deeper than ${this.limits.maxDepth} levels (limits.maxDepth)`,
    );
  }

  /** Whether no walk is in progress (the next value is a top-level one). */
  get atTop(): boolean {
    return this.depth === 0;
  }

  /** Characters or items this meter may still count. */
  get remaining(): number {
    return this.limits.maxValueSize - this.size;
  }

  leave(): void {
    this.depth--;
  }

  /** Counts one unit of work against the render's steps (comparisons, visited items). */
  step(n = 1): void {
    this.budget?.step(n, `${this.what}: items visited`);
  }

  /**
   * Whether deepEqual already found these two containers equal in this call: shared parts are
   * compared once, so identically doubled structures compare in linear time.
   */
  knownEqual(a: object, b: object): boolean {
    return this.equalPairs?.get(a)?.has(b) ?? false;
  }

  markEqual(a: object, b: object): void {
    this.equalPairs ??= new Map();
    let set = this.equalPairs.get(a);
    if (!set) this.equalPairs.set(a, (set = new Set()));
    set.add(b);
  }
}

/**
 * Refuses, before anything is written, to print or serialise a value whose text would surely
 * exceed limits.maxValueSize: a lower bound of its printed size (strings, one character per
 * scalar, brackets and separators), computed once per distinct list or map, so a structure
 * that shares its parts fifty times over is measured in fifty steps, not 2^50.
 */
export function checkPrintedSize(v: unknown, m: Meter): void {
  if (typeof v !== 'object' || v === null || !(Array.isArray(v) || isGoMap(v))) return;
  const total = new SizeBound(m).of(v, 0);
  if (total > m.remaining) throw tooLarge(m.limits, m.what, total, 'characters or more');
}

class SizeBound {
  private readonly memo = new Map<object, number>();
  private readonly max: number;
  constructor(private readonly m: Meter) {
    this.max = m.remaining;
  }

  of(x: unknown, depth: number): number {
    if (typeof x === 'string') return x.length;
    if (typeof x !== 'object' || x === null) return 1;
    const isList = Array.isArray(x);
    if (!isList && !isGoMap(x)) return 1;
    const known = this.memo.get(x);
    if (known !== undefined) return known;
    if (depth >= this.m.limits.maxDepth) throw this.m.tooDeep();
    let total = 2;
    if (isList) {
      total += Math.max(0, x.length - 1);
      for (let i = 0; i < x.length && total <= this.max; i++) total += this.of(x[i], depth + 1);
    } else {
      const keys = Object.keys(x);
      total += Math.max(0, keys.length - 1);
      for (let i = 0; i < keys.length && total <= this.max; i++)
        total += keys[i]!.length + 1 + this.of((x as Record<string, unknown>)[keys[i]!], depth + 1);
    }
    this.memo.set(x, total);
    return total;
  }
}

/** A meter for one function call of a render. */
export function meter(ctx: CallContext, what: string, unit = 'characters'): Meter {
  return new Meter(ctx.budget.limits, what, unit, ctx.budget);
}

/** A meter with the default limits, for formatting outside a render (error messages, tests). */
export function defaultMeter(what: string): Meter {
  return new Meter(DEFAULT_RENDER_LIMITS, what);
}
