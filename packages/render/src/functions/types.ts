import type { RenderBudget } from '../budget.js';

/**
 * What functions may read besides their arguments: the clock, a random source (both
 * injectable) and the budget of the render they run in. One is created per render.
 */
export interface CallContext {
  /** Milliseconds since the epoch. */
  now(): number;
  /** A number in [0, 1). */
  random(): number;
  /** The limits of this render: functions check sizes against it before building values. */
  readonly budget: RenderBudget;
}

/**
 * The Go parameter type a function declares. text/template checks arguments against it: a
 * `string` parameter rejects an int, an `int` parameter rejects an int64, and so on.
 */
export type ParamType = 'any' | 'string' | 'int' | 'bool' | 'map' | 'time' | 'float';

export interface GoFunction {
  readonly params: readonly ParamType[];
  readonly variadic?: ParamType;
  readonly fn: (ctx: CallContext, ...args: unknown[]) => unknown;
}

/** A failure inside a template function (Go: the function returned an error or panicked). */
export class FunctionError extends Error {
  override readonly name = 'FunctionError';
}

/**
 * Declares a function; `fn` receives arguments already checked against `params`. The result is
 * frozen and has no prototype, so nothing (not even a polluted Object.prototype) can add a
 * `variadic` or change the parameter types after the fact.
 */
export function def(
  params: readonly ParamType[],
  fn: GoFunction['fn'],
  variadic?: ParamType,
): GoFunction {
  const f = Object.create(null) as {
    params: readonly ParamType[];
    variadic?: ParamType;
    fn: GoFunction['fn'];
  };
  f.params = Object.freeze([...params]);
  if (variadic) f.variadic = variadic;
  f.fn = Object.freeze(fn);
  return Object.freeze(f);
}
