// Sprig's defaults and logic functions, and Helm's required.
import { isEmpty } from '../go/values.js';
import { FunctionError, def, type GoFunction } from './types.js';

/** Raised by `fail` and `required`: the template asked to stop, with the author's message. */
export class TemplateFailure extends FunctionError {}

export const defaultFunctions: Record<string, GoFunction> = {
  default: def(
    ['any'],
    (_c, d, ...given) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]),
    'any',
  ),
  empty: def(['any'], (_c, v) => isEmpty(v)),
  coalesce: def([], (_c, ...xs) => xs.find((x) => !isEmpty(x)) ?? null, 'any'),
  ternary: def(['any', 'any', 'bool'], (_c, a, b, c) => (c ? a : b)),
  required: def(['string', 'any'], (_c, msg, v) => {
    if (v === null || v === undefined || v === '') throw new TemplateFailure(msg as string);
    return v;
  }),
  fail: def(['string'], (_c, msg) => {
    throw new TemplateFailure(msg as string);
  }),
};
