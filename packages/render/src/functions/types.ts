/** What functions may read besides their arguments: the clock and a random source (injectable). */
export interface CallContext {
  /** Milliseconds since the epoch. */
  now(): number;
  /** A number in [0, 1). */
  random(): number;
}

/**
 * The Go parameter type a function declares. text/template checks arguments against it: a
 * `string` parameter rejects an int, an `int` parameter rejects an int64, and so on.
 */
export type ParamType = 'any' | 'string' | 'int' | 'bool' | 'map' | 'time' | 'float';

export interface GoFunction {
  params: readonly ParamType[];
  variadic?: ParamType;
  fn: (ctx: CallContext, ...args: unknown[]) => unknown;
}

/** A failure inside a template function (Go: the function returned an error or panicked). */
export class FunctionError extends Error {
  override readonly name = 'FunctionError';
}

/** Declares a function; `fn` receives arguments already checked against `params`. */
export function def(
  params: readonly ParamType[],
  fn: GoFunction['fn'],
  variadic?: ParamType,
): GoFunction {
  return variadic ? { params, variadic, fn } : { params, fn };
}
