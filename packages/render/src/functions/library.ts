// The function library shared by both syntaxes: Go builtins, Sprig, Helm's extras and Lynq's own.
import { describeType } from './strings.js';
import { builtinFunctions } from './builtins.js';
import { dateFunctions } from './dates.js';
import { defaultFunctions } from './defaults.js';
import { encodingFunctions } from './encoding.js';
import { extraFunctions } from './extras.js';
import { listFunctions } from './lists.js';
import { lynqFunctions } from './lynq.js';
import { mathFunctions } from './math.js';
import { randomFunctions } from './random.js';
import { stringFunctions } from './strings.js';
import { FunctionError, type CallContext, type GoFunction, type ParamType } from './types.js';
import { Float64, GoTime, isGoMap } from '../go/values.js';

/**
 * Every function a template can call, by name. Lynq's override Sprig's (int). The record, each
 * function and its parameter list are frozen and have no prototype (see def): nothing a render
 * does, and no polluted prototype, changes how the next render calls them.
 */
export const FUNCTIONS: Readonly<Record<string, GoFunction>> = Object.freeze(
  Object.assign(
    Object.create(null) as Record<string, GoFunction>,
    builtinFunctions,
    stringFunctions,
    defaultFunctions,
    encodingFunctions,
    listFunctions,
    mathFunctions,
    dateFunctions,
    randomFunctions,
    extraFunctions,
    lynqFunctions,
  ),
);

/** Functions that change a map they are given (the interpreter copies the data for them). */
export const MUTATING_FUNCTIONS: ReadonlySet<string> = new Set(['set', 'unset', 'merge']);

/** Functions Go evaluates lazily (and/or); the interpreter evaluates their arguments itself. */
export const LAZY_FUNCTIONS: ReadonlySet<string> = new Set(['and', 'or']);

function checkArg(name: string, type: ParamType, v: unknown): unknown {
  const nil = v === null || v === undefined;
  switch (type) {
    case 'any':
      return nil ? null : v;
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'int':
      if (typeof v === 'number') return v;
      break;
    case 'bool':
      if (typeof v === 'boolean') return v;
      break;
    case 'float':
      if (v instanceof Float64) return v;
      break;
    case 'time':
      if (v instanceof GoTime) return v;
      break;
    case 'map':
      if (nil) return null;
      if (isGoMap(v)) return v;
      break;
  }
  const expected = {
    string: 'string',
    int: 'int',
    bool: 'bool',
    float: 'float64',
    time: 'time.Time',
    map: 'map[string]interface {}',
  }[type];
  throw new FunctionError(
    nil
      ? `invalid value; expected ${expected}`
      : `wrong type for value; expected ${expected}; got ${describeType(v)}`,
    { cause: name },
  );
}

/** Calls a library function with Go's argument-count and argument-type checks (args is reused). */
export function callFunction(
  ctx: CallContext,
  name: string,
  fn: GoFunction,
  args: unknown[],
): unknown {
  const fixed = fn.params.length;
  if (fn.variadic ? args.length < fixed : args.length !== fixed)
    throw new FunctionError(
      `wrong number of args for ${name}: want ${fn.variadic ? 'at least ' : ''}${fixed} got ${args.length}`,
    );
  for (let i = 0; i < args.length; i++)
    args[i] = checkArg(name, i < fixed ? fn.params[i]! : fn.variadic!, args[i]);
  return fn.fn(ctx, ...args);
}
