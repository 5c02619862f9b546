// Random go-syntax templates, built from the dialect's grammar and the whole function library,
// over random data: whatever a template does, the renderer answers with output or a
// TemplateError, within the render's time budget, and leaves the process as it found it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TemplateError, compileTemplate, type InternalRenderOptions } from './engine.js';
import { FUNCTIONS } from './functions/library.js';

const FUNCTION_NAMES = Object.keys(FUNCTIONS);
/** The functions attacks went through: picked as often as all the others together. */
const HOT_FUNCTIONS = [
  'merge',
  'set',
  'unset',
  'dict',
  'fromJson',
  'fromYaml',
  'toJson',
  'toYaml',
  'until',
  'repeat',
  'printf',
  'regexReplaceAll',
  'has',
  'uniq',
  'append',
  'concat',
  'pick',
  'omit',
  'index',
  'get',
  'list',
];
const functionName = fc.oneof(
  fc.constantFrom(...FUNCTION_NAMES),
  fc.constantFrom(...HOT_FUNCTIONS),
);
const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'polluted', 'uid', 'a'];
const VARIABLES = ['$x', '$y', '$'];

const LIMITS: InternalRenderOptions['limits'] = {
  maxSteps: 20_000,
  maxDepth: 50,
  maxOutputChars: 20_000,
  maxValueSize: 20_000,
  timeoutMs: 200,
};
const OPTIONS: InternalRenderOptions = { limits: LIMITS, clock: () => 0, random: () => 0.5 };

/** Go string literal of s (JSON's escapes are all valid in Go). */
const goString = (s: string) => JSON.stringify(s);

const key = fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 6 }));

const literal = fc.oneof(
  fc.integer({ min: -3, max: 70 }).map(String),
  fc.constantFrom('1000000', '-1', '0', '1.5', '1e6', 'true', 'false', 'nil', '"%09d"', '"%v%v"'),
  key.map(goString),
  fc
    .constantFrom('{"__proto__":{"polluted":1}}', '__proto__:\n  polluted: 1', '[[[1]]]', '^(a+)+$')
    .map(goString),
);

const field = fc.oneof(
  fc.constant('.'),
  fc
    .array(fc.constantFrom(...SPECIAL_KEYS), { minLength: 1, maxLength: 3 })
    .map((ks) => ks.map((k) => `.${k}`).join('')),
  fc.constantFrom(...VARIABLES),
);

/** A call of `name` with arguments of the types it declares (one fewer when piped into). */
function call(name: string, piped: boolean, term: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const fn = FUNCTIONS[name]!;
  const params = [...fn.params];
  const extra = fn.variadic ? [fn.variadic, fn.variadic] : [];
  const count = fc.integer({ min: 0, max: extra.length });
  return count.chain((n) => {
    const types = [...params, ...extra.slice(0, n)];
    if (piped) types.pop();
    const args = types.map((t) => {
      switch (t) {
        case 'int':
          return fc.oneof(fc.integer({ min: -2, max: 40 }).map(String), term);
        case 'string':
          return fc.oneof(key.map(goString), field, term);
        case 'map':
          return fc.oneof(fc.constantFrom('$x', '(dict)', '.'), term);
        case 'bool':
          return fc.constantFrom('true', 'false');
        default:
          return term;
      }
    });
    return fc.tuple(...args).map((as) => [name, ...as].join(' '));
  });
}

const { pipeline } = fc.letrec<{ term: string; command: string; pipeline: string }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    field,
    tie('pipeline').map((p) => `(${p})`),
  ),
  command: fc.oneof(
    tie('term'),
    functionName.chain((f) => call(f, false, tie('term'))),
  ),
  pipeline: fc
    .tuple(
      tie('command'),
      fc.array(
        functionName.chain((f) => call(f, true, tie('term'))),
        { maxLength: 2 },
      ),
    )
    .map(([first, rest]) => [first, ...rest].join(' | ')),
}));

const { block } = fc.letrec<{ block: string; blocks: string }>((tie) => ({
  blocks: fc.array(tie('block'), { maxLength: 3 }).map((bs) => bs.join('')),
  block: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('text ', '\n', '{{/* c */}}'),
    pipeline.map((p) => `{{ ${p} }}`),
    fc
      .tuple(fc.constantFrom('$x', '$y'), fc.constantFrom(':=', '='), pipeline)
      .map(([v, op, p]) => `{{ ${v} ${op} ${p} }}`),
    fc
      .tuple(pipeline, tie('blocks'), tie('blocks'))
      .map(([p, a, b]) => `{{ if ${p} }}${a}{{ else }}${b}{{ end }}`),
    fc.tuple(pipeline, tie('blocks')).map(([p, a]) => `{{ with ${p} }}${a}{{ end }}`),
    fc
      .tuple(pipeline, tie('blocks'), tie('blocks'))
      .map(([p, a, b]) => `{{ range $i, $e := ${p} }}${a}{{ else }}${b}{{ end }}`),
  ),
}));

/** Templates start by declaring $x and $y, so that most of them parse. */
const template = fc
  .array(block, { minLength: 1, maxLength: 4 })
  .map(
    (bs) => `{{ $x := dict "__proto__" (dict "polluted" 1) }}{{ $y := list 1 2 }}${bs.join('')}`,
  );

const data = fc
  .dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 })
  .map((d) => ({ uid: 'acme', a: 'x,y', ...d }));

function prototypeNames(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].flatMap((p) =>
    Reflect.ownKeys(p).map(String),
  );
}

describe('fuzzing the go syntax', () => {
  it('answers with output or a TemplateError, in time, without touching prototypes', () => {
    const before = prototypeNames();
    fc.assert(
      // missingKey "zero" (as admission renders) lets more templates run to their end.
      fc.property(template, data, fc.boolean(), (text, vars, zero) => {
        const start = performance.now();
        try {
          const options = zero ? { ...OPTIONS, missingKey: 'zero' as const } : OPTIONS;
          expect(typeof compileTemplate(text).render(vars, options)).toBe('string');
        } catch (err) {
          if (!(err instanceof TemplateError)) throw err;
        }
        // The time budget is checked every 1024 steps: well within twice the budget.
        expect(performance.now() - start).toBeLessThan(2 * LIMITS.timeoutMs! + 500);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(prototypeNames()).toEqual(before);
      }),
      { numRuns: 500 },
    );
  }, 120_000);
});
