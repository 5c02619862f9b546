// What one render may spend. Templates are written by whoever may create a LynqForm, so a render
// is untrusted work: every loop, call, nesting level, output byte and produced value is counted
// against a budget, and the render fails with a clear error when one runs out, instead of taking
// the operator's CPU or heap with it. Both syntaxes and the whole function library share this.

/** Limits of one template render. Every field is optional where it is accepted; see DEFAULT_RENDER_LIMITS. */
export interface RenderLimits {
  /** Loop iterations, function calls and template/macro invocations, all together. */
  readonly maxSteps: number;
  /** Nesting of template, macro and include calls, and of nested data walked by functions. */
  readonly maxDepth: number;
  /** Characters one template may output. */
  readonly maxOutputChars: number;
  /** Size of one value a function produces: string characters, list items, serialised bytes. */
  readonly maxValueSize: number;
  /** Wall-clock milliseconds one render may take. */
  readonly timeoutMs: number;
}

/**
 * Defaults sized for Kubernetes objects: the API server refuses objects over ~1.5 MB, so a
 * template that produces more than 1 Mi characters, or a value of more than 1 Mi, is a mistake
 * or an attack, never a real form.
 */
export const DEFAULT_RENDER_LIMITS: RenderLimits = Object.freeze({
  maxSteps: 1_000_000,
  maxDepth: 200,
  maxOutputChars: 1 << 20,
  maxValueSize: 1 << 20,
  timeoutMs: 1000,
});

export type BudgetKind = 'steps' | 'depth' | 'output' | 'value' | 'time';

/** A render ran out of one of its limits. Not retryable with the same template and data. */
export class RenderBudgetError extends Error {
  override readonly name = 'RenderBudgetError';
  constructor(
    readonly kind: BudgetKind,
    readonly limit: number,
    message: string,
  ) {
    super(message);
  }
}

/** How often (in steps) the clock is read: reading it every step would cost more than the work. */
const CLOCK_EVERY = 1024;

/** The budget of one render. Create one per render; never share one between renders. */
export class RenderBudget {
  readonly limits: RenderLimits;
  private steps = 0;
  private depth = 0;
  private outputChars = 0;
  private readonly deadline: number;

  constructor(limits: Partial<RenderLimits> = {}, now: () => number = Date.now) {
    this.limits = resolveRenderLimits(limits);
    this.now = now;
    this.deadline = now() + this.limits.timeoutMs;
  }

  private readonly now: () => number;

  /**
   * Counts `n` units of work (iterations, calls); checks the clock now and then. `what` names the
   * work in the message when the budget runs out (default: loop iterations and function calls).
   */
  step(n = 1, what?: string): void {
    const before = this.steps;
    this.steps += n;
    if (this.steps > this.limits.maxSteps)
      throw new RenderBudgetError(
        'steps',
        this.limits.maxSteps,
        `template exceeded its budget of ${this.limits.maxSteps} steps (${what ?? 'loop iterations and function calls'})`,
      );
    if (Math.floor(before / CLOCK_EVERY) !== Math.floor(this.steps / CLOCK_EVERY)) this.checkTime();
  }

  /** Throws when the render's time is up. Call it inside any loop that does not call step(). */
  checkTime(): void {
    if (this.now() > this.deadline)
      throw new RenderBudgetError(
        'time',
        this.limits.timeoutMs,
        `template exceeded its time budget of ${this.limits.timeoutMs} ms`,
      );
  }

  /** Enters one nesting level (template call, macro, nested value); pair with leave(). */
  enter(): void {
    if (++this.depth > this.limits.maxDepth) {
      this.depth--;
      throw new RenderBudgetError(
        'depth',
        this.limits.maxDepth,
        `template exceeded the nesting limit of ${this.limits.maxDepth}`,
      );
    }
  }

  leave(): void {
    this.depth--;
  }

  /** Counts characters written to the template's output. */
  output(chars: number): void {
    this.outputChars += chars;
    if (this.outputChars > this.limits.maxOutputChars)
      throw new RenderBudgetError(
        'output',
        this.limits.maxOutputChars,
        `template output exceeded ${this.limits.maxOutputChars} characters`,
      );
  }

  /**
   * Checks the size of a value a function is about to produce (characters, items or bytes),
   * before it is built. `what` names the function for the message: `repeat`, `printf width`, ….
   */
  value(size: number, what: string): void {
    if (!(size <= this.limits.maxValueSize))
      throw new RenderBudgetError(
        'value',
        this.limits.maxValueSize,
        `${what} would produce ${Number.isFinite(size) ? Math.ceil(size) : 'an unbounded'} ` +
          `items or characters; templates are limited to ${this.limits.maxValueSize}`,
      );
  }
}

function positiveInteger(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw new RangeError(`render limit ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function ownLimit(limits: Partial<RenderLimits>, k: keyof RenderLimits): unknown {
  return Object.hasOwn(limits, k) ? limits[k] : undefined;
}

/** Limits objects resolveRenderLimits returned: frozen and checked, so reused as they are. */
const RESOLVED = new WeakSet<object>([DEFAULT_RENDER_LIMITS]);

/**
 * Fills in defaults and checks every given limit is a positive integer. Only own properties
 * count: a limit inherited from a polluted Object.prototype is never picked up.
 */
export function resolveRenderLimits(limits: Partial<RenderLimits> = {}): RenderLimits {
  if (limits === DEFAULT_RENDER_LIMITS || RESOLVED.has(limits)) return limits as RenderLimits;
  const d = DEFAULT_RENDER_LIMITS;
  const resolved = Object.freeze({
    maxSteps: positiveInteger('maxSteps', ownLimit(limits, 'maxSteps'), d.maxSteps),
    maxDepth: positiveInteger('maxDepth', ownLimit(limits, 'maxDepth'), d.maxDepth),
    maxOutputChars: positiveInteger(
      'maxOutputChars',
      ownLimit(limits, 'maxOutputChars'),
      d.maxOutputChars,
    ),
    maxValueSize: positiveInteger('maxValueSize', ownLimit(limits, 'maxValueSize'), d.maxValueSize),
    timeoutMs: positiveInteger('timeoutMs', ownLimit(limits, 'timeoutMs'), d.timeoutMs),
  });
  RESOLVED.add(resolved);
  return resolved;
}
