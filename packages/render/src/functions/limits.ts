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
    if (++this.depth > this.limits.maxDepth)
      throw new RenderBudgetError(
        'depth',
        this.limits.maxDepth,
        `${this.what}: value nests deeper than ${this.limits.maxDepth} levels (limits.maxDepth)`,
      );
  }

  leave(): void {
    this.depth--;
  }

  /** Counts one unit of work against the render's steps (comparisons, visited items). */
  step(n = 1): void {
    this.budget?.step(n, `${this.what}: items visited`);
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
