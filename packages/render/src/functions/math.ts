// Sprig's math functions: int64 arithmetic over cast.ToInt64, float64 rounding.
import { Float64, Int64, parseGoDecimal, toFloat64, toInt64 } from '../go/values.js';
import { FunctionError, def, type GoFunction } from './types.js';

// int64 wrap-around as in Go, for results outside the safe range (best effort beyond 2^53).
const i64 = (n: number) => new Int64(n === 0 ? 0 : n);

export const mathFunctions: Record<string, GoFunction> = {
  add: def([], (_c, ...xs) => i64(xs.reduce<number>((a, x) => a + toInt64(x), 0)), 'any'),
  sub: def(['any', 'any'], (_c, a, b) => i64(toInt64(a) - toInt64(b))),
  mul: def(
    ['any'],
    (_c, a, ...xs) => i64(xs.reduce<number>((p, x) => p * toInt64(x), toInt64(a))),
    'any',
  ),
  div: def(['any', 'any'], (_c, a, b) => {
    const d = toInt64(b);
    if (d === 0) throw new FunctionError('runtime error: integer divide by zero');
    return i64(Math.trunc(toInt64(a) / d));
  }),
  mod: def(['any', 'any'], (_c, a, b) => {
    const d = toInt64(b);
    if (d === 0) throw new FunctionError('runtime error: integer divide by zero');
    return i64(toInt64(a) % d);
  }),
  max: def(
    ['any'],
    (_c, a, ...xs) => i64(xs.reduce<number>((m, x) => Math.max(m, toInt64(x)), toInt64(a))),
    'any',
  ),
  min: def(
    ['any'],
    (_c, a, ...xs) => i64(xs.reduce<number>((m, x) => Math.min(m, toInt64(x)), toInt64(a))),
    'any',
  ),
  int64: def(['any'], (_c, v) => i64(toInt64(v))),
  float64: def(['any'], (_c, v) => new Float64(toFloat64(v))),
  atoi: def(['string'], (_c, s) => parseGoDecimal(s as string) ?? 0),
  floor: def(['any'], (_c, v) => new Float64(Math.floor(toFloat64(v)))),
  ceil: def(['any'], (_c, v) => new Float64(Math.ceil(toFloat64(v)))),
  round: def(
    ['any', 'int'],
    (_c, v, p, ...opt) => {
      const roundOn = opt.length ? (opt[0] as Float64).value : 0.5;
      const pow = 10 ** (p as number);
      const digit = pow * toFloat64(v);
      const frac = digit - Math.trunc(digit);
      return new Float64((frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow);
    },
    'float',
  ),
};
