// Random nunjucks-syntax templates, built from its grammar with the names attacks went through
// (prototype names, injection payloads in every place a name or string goes, the engine's own
// objects): whatever a template does, the renderer answers with output or a TemplateError, within
// the render's time budget, and leaves the process as it found it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TemplateError, renderTemplate, type RenderOptions } from './engine.js';
import { FUNCTIONS } from './functions/library.js';

const OPTIONS: RenderOptions = {
  syntax: 'nunjucks',
  allowNunjucks: true,
  limits: {
    maxSteps: 20_000,
    maxDepth: 50,
    maxOutputChars: 20_000,
    maxValueSize: 20_000,
    timeoutMs: 200,
  },
  clock: () => 0,
  random: () => 0.5,
};

const HOSTILE_NAMES = [
  'constructor',
  '__proto__',
  'prototype',
  'valueOf',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  '__lookupGetter__',
  'env',
  'context',
  'runtime',
  'frame',
  'lineno',
  'process',
  'globalThis',
  'require',
  'Function',
];
const VARIABLES = ['uid', 'x', 'obj', 'list', 'n', '_vars', 'loop', 'caller', 'i', 'k', 'v', 'm'];
const NUNJUCKS_FILTERS = [
  'abs',
  'batch',
  'capitalize',
  'center',
  'd',
  'dictsort',
  'dump',
  'escape',
  'groupby',
  'length',
  'nl2br',
  'random',
  'reject',
  'rejectattr',
  'safe',
  'select',
  'selectattr',
  'slice',
  'sort',
  'string',
  'sum',
  'truncate',
  'urlencode',
  'wordcount',
  'striptags',
  'urlize',
];
const TESTS = ['defined', 'undefined', 'odd', 'even', 'divisibleby', 'string', 'mapping', 'lt'];
const PAYLOADS = [
  'x\\",(globalThis.fuzzPwned=1),\\"',
  '\\\\"+(globalThis.fuzzPwned=1)+/*',
  "*/'x'))), false);//",
  '</script>\u2028\u2029',
  '{{ uid }}',
  '{% endraw %}',
];

const name = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...VARIABLES) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
);
const anyName = fc.oneof(
  { weight: 12, arbitrary: name },
  { weight: 1, arbitrary: fc.constantFrom(...PAYLOADS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);
/** Template text: mostly plain, sometimes with delimiters and escapes in it. */
const text = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[a-z ]{0,6}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const filterName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...Object.keys(FUNCTIONS)) },
  { weight: 3, arbitrary: fc.constantFrom(...NUNJUCKS_FILTERS) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
);
const stringLiteral = fc
  .oneof(fc.constantFrom(...PAYLOADS, ...HOSTILE_NAMES), fc.string({ maxLength: 8 }))
  .map((s) => JSON.stringify(s));
const literal = fc.oneof(
  fc.integer({ min: -3, max: 100 }).map(String),
  fc.constantFrom('1000000', '500000000', '1.5', 'none', 'true', 'false', '[]', '{}'),
  stringLiteral,
);
const binaryOperator = fc.constantFrom(
  '~',
  '+',
  '-',
  '*',
  '/',
  '//',
  '%',
  '**',
  '==',
  '!=',
  '<',
  '>=',
  'in',
  'and',
  'or',
);

const { expr } = fc.letrec<{ expr: string }>((tie) => {
  const e = tie('expr') as fc.Arbitrary<string>;
  const args = fc.array(e, { maxLength: 3 }).map((xs) => xs.join(', '));
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      literal,
      name,
      fc.tuple(e, anyName).map(([t, k]) => `${t}.${k}`),
      fc.tuple(e, fc.oneof(stringLiteral, e)).map(([t, k]) => `${t}[${k}]`),
      fc.tuple(e, filterName, args).map(([v, f, a]) => `${v} | ${f}${a ? `(${a})` : ''}`),
      fc.tuple(filterName, args).map(([f, a]) => `${f}(${a})`),
      fc.tuple(name, args).map(([f, a]) => `${f}(${a})`),
      fc.tuple(e, binaryOperator, e).map(([a, op, b]) => `(${a} ${op} ${b})`),
      e.map((x) => `not ${x}`),
      name.map((x) => `-${x}`),
      fc.tuple(e, e, e).map(([a, b, c]) => `(${a} if ${b} else ${c})`),
      fc
        .tuple(e, fc.constantFrom(...TESTS, ...TESTS, 'valueOf', 'constructor'))
        .map(([a, t]) => `${a} is ${t}`),
      fc.array(e, { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
      fc.tuple(stringLiteral, e).map(([k, v]) => `{${k}: ${v}}`),
      fc.constantFrom('range(5)', 'range(100000000)', 'cycler(1, 2)', 'joiner()', 'caller()'),
    ),
  };
});

const { block } = fc.letrec<{ block: string }>((tie) => {
  const b = tie('block') as fc.Arbitrary<string>;
  const body = fc.array(b, { maxLength: 3 }).map((xs) => xs.join(''));
  return {
    block: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 3, arbitrary: text },
      { weight: 6, arbitrary: expr.map((x) => `{{ ${x} }}`) },
      fc.tuple(expr, body, body).map(([c, t, f]) => `{% if ${c} %}${t}{% else %}${f}{% endif %}`),
      fc.tuple(anyName, expr, body).map(([n, a, t]) => `{% for ${n} in ${a} %}${t}{% endfor %}`),
      fc.tuple(anyName, expr, body).map(([k, a, t]) => `{% for ${k}, v in ${a} %}${t}{% endfor %}`),
      fc.tuple(anyName, expr).map(([n, x]) => `{% set ${n} = ${x} %}`),
      fc
        .tuple(anyName, anyName, body)
        .map(([m, a, t]) => `{% macro ${m}(${a}, n=1) %}${t}{{ caller() }}{% endmacro %}`),
      fc.tuple(anyName, expr, body).map(([m, a, t]) => `{% call ${m}(${a}) %}${t}{% endcall %}`),
      fc.tuple(anyName, body).map(([n, t]) => `{% set ${n} %}${t}{% endset %}`),
      fc.tuple(text, fc.nat(9)).map(([t, n]) => `{% raw %}${t}${n > 0 ? '{% endraw %}' : ''}`),
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}',
          '{% set s = "ab" %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}',
          '{% set s = [1] %}{% for i in range(40) %}{% set s = [s, s] %}{% endfor %}{{ s }}',
          '{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}',
          '{% include "x" %}',
          '{{ x | valueOf }}',
        ),
      },
    ),
  };
});

const template = fc.array(block, { minLength: 1, maxLength: 4 }).map((xs) => xs.join(''));

const data = fc.record({
  uid: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...HOSTILE_NAMES)),
  x: fc.string({ maxLength: 5 }),
  n: fc.integer({ min: -5, max: 50 }),
  obj: fc.dictionary(
    fc.oneof(fc.constantFrom(...HOSTILE_NAMES), fc.string({ maxLength: 4 })),
    fc.string({ maxLength: 4 }),
    { maxKeys: 3 },
  ),
  list: fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 4 }),
});

const snapshot = () =>
  [globalThis, Object.prototype, Array.prototype, String.prototype, Function.prototype].map((o) =>
    Object.getOwnPropertyNames(o).sort().join(','),
  );

describe('fuzzing the nunjucks syntax', () => {
  it.skipIf(!process.env.FUZZ_STATS)('stats', () => {
    const counts: Record<string, number> = {};
    for (const [text, variables] of fc.sample(fc.tuple(template, data), 600)) {
      let k = 'ok';
      try {
        renderTemplate(text, variables, OPTIONS);
      } catch (err) {
        k =
          (err as TemplateError).phase +
          ' ' +
          (err as TemplateError).reason.replace(/"[^"]*"/g, '_').slice(0, 50);
      }
      counts[k] = (counts[k] ?? 0) + 1;
    }
    console.log(
      Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 40),
    );
  });
  it('answers with output or a TemplateError, in time, changing nothing', () => {
    const before = snapshot();
    fc.assert(
      fc.property(template, data, (text, variables) => {
        const started = performance.now();
        try {
          expect(typeof renderTemplate(text, variables, OPTIONS)).toBe('string');
        } catch (err) {
          if (!(err instanceof TemplateError)) throw err;
        }
        // The time budget is 200 ms; compiling and a loaded machine get the rest.
        expect(performance.now() - started).toBeLessThan(1500);
        expect((globalThis as Record<string, unknown>).fuzzPwned).toBeUndefined();
        expect(snapshot()).toEqual(before);
      }),
      { numRuns: 1000 },
    );
  }, 120_000);
});
