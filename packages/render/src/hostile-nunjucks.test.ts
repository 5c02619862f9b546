// The attacks of issue 11 on the nunjucks syntax, each a regression test: the syntax is off by
// default; when enabled, no template text becomes JavaScript, nothing resolves through
// Object.prototype, the engine's own objects cannot be reached or iterated, one render cannot
// change the next, and every way to spend time or memory hits a budget fast.
import { readFileSync } from 'node:fs';
import { assertParsed, parseForm, type LynqForm } from '@lynq/api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  NUNJUCKS_DISABLED,
  TemplateError,
  compileTemplate,
  renderTemplate,
  type RenderOptions,
} from './engine.js';
import { MAX_NATIVE_TEMPLATE_CHARS } from './compile-native.js';
import { nativeEnvironment } from './native-library.js';
import { compileForm, renderForm } from './render-form.js';
import { templateCheck, validateTemplates } from './validate-templates.js';

const NUNJUCKS: RenderOptions = { syntax: 'nunjucks', allowNunjucks: true };
const vars = { uid: 'acme', x: 'hi', obj: { k: 1 }, list: [[1, 2]], planId: '' };

const SECRET = 'nunjucks-test-secret-4711';
const g = globalThis as Record<string, unknown>;
const globalNames = () => Object.getOwnPropertyNames(globalThis).sort();
const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();
let globalsBefore: string[];
let prototypeBefore: string[];

beforeAll(() => {
  process.env.LYNQ_NUNJUCKS_SECRET = SECRET;
  globalsBefore = globalNames();
  prototypeBefore = prototypeNames();
});

afterEach(() => {
  // No attack may leave anything behind in the process.
  expect(globalNames()).toEqual(globalsBefore);
  expect(prototypeNames()).toEqual(prototypeBefore);
});

const r = (t: string, v: Record<string, unknown> = vars, options: RenderOptions = {}) =>
  renderTemplate(t, v, { ...NUNJUCKS, ...options });

/** Renders `t`, expecting a TemplateError; returns it. */
function failure(t: string, options: RenderOptions = {}): TemplateError {
  try {
    r(t, vars, options);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return err as TemplateError;
  }
  return expect.fail(`${t} rendered`);
}

/** Renders `t`, expecting a TemplateError within `ms`; returns it. */
function fastFailure(t: string, ms = 3000, options: RenderOptions = {}): TemplateError {
  const started = performance.now();
  const e = failure(t, options);
  expect(performance.now() - started).toBeLessThan(ms);
  return e;
}

const seedForm = (): LynqForm =>
  assertParsed(
    parseForm(readFileSync(new URL('./testdata/seed-form.yaml', import.meta.url), 'utf8'), {
      checks: [validateTemplates],
    }),
  );

function nunjucksForm(): LynqForm {
  const form = seedForm();
  form.spec.templateSyntax = 'nunjucks';
  form.spec.deployments = [
    {
      ...form.spec.deployments![0]!,
      nameTemplate: '{{ uid }}-app',
      labelsTemplate: { plan: '{{ planId | default("basic") }}' },
      spec: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: '{{ 3 | int }}' } },
    },
  ];
  form.spec.services = [];
  form.spec.configMaps = [];
  form.spec.namespaces = [];
  return form;
}

describe('the nunjucks syntax is off unless enabled', () => {
  it('refuses nunjucks templates with a parse error saying how to enable them', () => {
    for (const text of ['{{ uid }}', 'no syntax at all']) {
      try {
        renderTemplate(text, vars, { syntax: 'nunjucks' });
        expect.fail('rendered');
      } catch (err) {
        expect(err).toBeInstanceOf(TemplateError);
        expect((err as TemplateError).phase).toBe('parse');
        expect((err as TemplateError).reason).toBe(NUNJUCKS_DISABLED);
        expect((err as TemplateError).reason).toMatch(/allowNunjucks/);
      }
    }
    expect(() => compileTemplate('{{ uid }}', 'nunjucks')).toThrow(
      /nunjucks template syntax is disabled/,
    );
    expect(r('{{ uid }}')).toBe('acme');
  });

  it('is enabled only by an own allowNunjucks: true', () => {
    const bogus = { syntax: 'nunjucks', allowNunjucks: 'yes' } as unknown as RenderOptions;
    expect(() => renderTemplate('{{ uid }}', vars, bogus)).toThrow(/disabled/);
    const inherited = Object.create({ allowNunjucks: true }) as RenderOptions;
    inherited.syntax = 'nunjucks';
    expect(() => renderTemplate('{{ uid }}', vars, inherited)).toThrow(/disabled/);
  });

  it('renderForm and compileForm report one error per resource on spec.templateSyntax', () => {
    const form = nunjucksForm();
    const refused = renderForm(form, vars, { namespace: 'default' });
    expect(refused.errors).toEqual([
      {
        resourceId: form.spec.deployments![0]!.id,
        path: 'spec.templateSyntax',
        phase: 'parse',
        message: NUNJUCKS_DISABLED,
      },
    ]);
    expect(refused.resources[0]!.manifest).toBeUndefined();
    // The compilation with the syntax enabled is never reused without it, nor the reverse.
    expect(renderForm(form, vars, { namespace: 'default', allowNunjucks: true }).errors).toEqual(
      [],
    );
    expect(renderForm(form, vars, { namespace: 'default' }).errors).toHaveLength(1);
    expect(compileForm(form).render(vars, { namespace: 'n' }).errors).toHaveLength(1);
    expect(
      compileForm(form, { allowNunjucks: true }).render(vars, { namespace: 'n' }).errors,
    ).toEqual([]);
  });

  it('validateTemplates refuses nunjucks forms naming spec.templateSyntax; templateCheck can allow them', () => {
    const form = nunjucksForm();
    expect(validateTemplates(form)).toEqual({
      errors: [{ path: 'spec.templateSyntax', message: NUNJUCKS_DISABLED }],
      warnings: [],
    });
    expect(templateCheck({ allowNunjucks: true })(form)).toEqual({ errors: [], warnings: [] });
    expect(templateCheck()(form).errors).toHaveLength(1);
  });
});

describe('README: the nunjucks syntax', () => {
  it('behaves as its example says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## The `nunjucks` syntax'));
    const example = section.slice(section.indexOf('```ts'), section.indexOf('```\n', 10));
    // The example's two calls, as written there.
    expect(example).toContain(
      "renderTemplate('{{ uid | upper }}', { uid: 'acme' }, { syntax: 'nunjucks' }); // TemplateError",
    );
    expect(() =>
      renderTemplate('{{ uid | upper }}', { uid: 'acme' }, { syntax: 'nunjucks' }),
    ).toThrow(/the nunjucks template syntax is disabled/);
    expect(example).toContain(`}); // 'acme-a acme-b '`);
    expect(
      renderTemplate(
        '{% for p in ["a", "b"] %}{{ uid }}-{{ p }} {% endfor %}',
        { uid: 'acme' },
        {
          syntax: 'nunjucks',
          allowNunjucks: true,
        },
      ),
    ).toBe('acme-a acme-b ');
    expect(example).toContain(`'{% for p in ["a", "b"] %}{{ uid }}-{{ p }} {% endfor %}'`);
  });
});

describe('no template text becomes JavaScript', () => {
  // Every place nunjucks' compiler pastes template text into the code it generates, with a
  // payload that copies a secret to a global: each ran on nunjucks 3.2.4 as we used it.
  const payload = (name: string) =>
    `x\\",(globalThis.${name}=process.env.LYNQ_NUNJUCKS_SECRET),\\"`;
  const attacks: [string, string, string][] = [
    [
      'a call through a lookup key (backslash before the quote)',
      'pwnedCall',
      `{{ obj['\\\\"+(globalThis.pwnedCall=process.env.LYNQ_NUNJUCKS_SECRET)+/*']("*/'x'))), false);//") }}`,
    ],
    [
      'a call of a string literal',
      'pwnedLiteralCall',
      `{{ "\\\\\\"+(globalThis.pwnedLiteralCall=process.env.LYNQ_NUNJUCKS_SECRET)+/*"("*/'x'))), false);//") }}`,
    ],
    [
      'a string as the test after "is"',
      'pwnedIs',
      `{{ 1 is "defined\\").call(context),(globalThis.pwnedIs=process.env.LYNQ_NUNJUCKS_SECRET),env.getTest(\\"defined" }}`,
    ],
    ['a {% set %} target', 'pwnedSet', `{% set "${payload('pwnedSet')}" = 1 %}`],
    ['a loop variable', 'pwnedFor', `{% for k, "${payload('pwnedFor')}" in obj %}{% endfor %}`],
    [
      'a macro keyword argument',
      'pwnedKwarg',
      `{% macro m("${payload('pwnedKwarg')}"=1) %}{% endmacro %}{{ m() }}`,
    ],
    ['a macro name', 'pwnedMacro', `{% macro "${payload('pwnedMacro')}"() %}{% endmacro %}`],
    [
      'a caller argument',
      'pwnedCaller',
      `{% macro m() %}{{ caller() }}{% endmacro %}{% call("${payload('pwnedCaller')}") m() %}{% endcall %}`,
    ],
    ['an import name', 'pwnedImport', `{% from "x" import "${payload('pwnedImport')}" %}`],
    ['a block name', 'pwnedBlock', `{% block "${payload('pwnedBlock')}" %}{% endblock %}`],
  ];
  it.each(attacks)('%s', (_what, name, template) => {
    const e = failure(template);
    expect(g[name]).toBeUndefined();
    expect(e.message).not.toContain(SECRET);
  });

  it.each([
    ['a name with a backslash', '{{ a\\ }}'],
    ['a name with a quote', '{{ a"b }}'],
    ['a filter name with a quote', '{{ x | up"per }}'],
    ['a filter name with a backslash', '{{ x | upper\\ }}'],
    ['a test name with a quote', '{{ x is defi"ned }}'],
    ['a macro argument with a backslash', '{% macro m(a\\) %}{% endmacro %}'],
    ['a regular expression literal', '{{ r/(a+)+$/ }}'],
    ['a number beyond float64', `{{ ${'9'.repeat(400)} }}`],
    ['{% include %}', '{% include "/etc/passwd" %}'],
    ['{% extends %}', '{% extends "x" %}'],
    ['{% import %}', '{% import "x" as y %}'],
    ['{% asyncEach %}', '{% asyncEach i in [1] %}{% endeach %}'],
    ['{% call %} without a call', '{% call m %}x{% endcall %}'],
  ])('refuses %s at parse time', (_what, template) => {
    expect(failure(template).phase).toBe('parse');
  });

  it('reports the place of a refused name', () => {
    const e = failure('ok\n  {% set "a\\"b" = 1 %}');
    expect([e.phase, e.line, e.column, e.reason]).toEqual([
      'parse',
      2,
      10,
      'a {% set %} target must be a name',
    ]);
  });

  it('writes every string literal as it is, whatever it contains', () => {
    const strings = [
      'a\\"b',
      '\\',
      '"',
      "'",
      'x\ny',
      '\u2028\u2029',
      '${x}`',
      '</script>',
      '\\u0041',
    ];
    for (const s of strings) {
      expect(r(`{{ ${JSON.stringify(s)} }}`)).toBe(JSON.parse(JSON.stringify(s)));
      expect(r(`{% set d = {${JSON.stringify(s)}: 1} %}{{ d | dump }}`)).toBe(
        JSON.stringify({ [s]: 1 }),
      );
    }
    expect(r('a\\"b\u2028{{ "c" }}\\')).toBe('a\\"b\u2028c\\');
  });
});

describe('nothing resolves through Object.prototype', () => {
  const names = [
    'valueOf',
    'constructor',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toLocaleString',
    '__lookupGetter__',
    '__lookupSetter__',
    '__defineGetter__',
    '__defineSetter__',
  ];
  it.each(names)('{{ x | %s }} is not a filter', (name) => {
    const e = failure(`{{ x | ${name} }}`);
    expect(e.phase).toBe('parse');
    expect(e.reason).toMatch(/unknown filter|not allowed/);
  });
  it.each(names)('{{ x is %s }} is not a test', (name) => {
    expect(failure(`{{ x is ${name} }}`).reason).toMatch(/unknown test|not allowed/);
  });
  it.each(names)('select("%s") is not a test, even built at run time', (name) => {
    // Split, so that the name is not a literal (literal prototype names are refused earlier).
    const built = `"${name.slice(0, 3)}" ~ "${name.slice(3)}"`;
    expect(failure(`{{ [x] | select(${built}, upper) | join(",") }}`).reason).toMatch(
      /unknown test/,
    );
    expect(failure(`{{ [x] | reject(${built}) | join(",") }}`).reason).toMatch(/unknown test/);
  });
  it.each(names.filter((n) => !n.startsWith('__') && n !== 'constructor'))(
    '{{ %s }} is no variable',
    (name) => {
      expect(failure(`{{ ${name} }}`).reason).toBe(`undefined variable "${name}"`);
    },
  );
  it('toString is the library function, not Object.prototype.toString', () => {
    expect(r('{{ obj | toString }}|{{ toString(1.5) }}|{{ x | toString }}')).toBe(
      'map[k:1]|1.5|hi',
    );
  });
  it('the context and the environment cannot be reached', () => {
    // The chains of issue 11: valueOf gave the Context; iterating it reached lookup and env.
    expect(failure('{% set c = x | valueOf %}{% for k, v in c %}{{ k }}{% endfor %}').phase).toBe(
      'parse',
    );
    // … and from there the Environment, its options, filters and methods (getFilter, addFilter).
    const envWalk =
      '{% set c = x | valueOf %}{% for k, v in c %}{% if k == "env" %}' +
      '{% for k2, v2 in v %}{{ k2 }}{% if k2 == "opts" %}{% for k3, v3 in v2 %}{{ k3 }}={{ v3 }}' +
      '{% endfor %}{% endif %}{% endfor %}{% endif %}{% endfor %}';
    expect(failure(envWalk).reason).toBe('unknown filter "valueOf"');
    for (const t of [
      '{{ env }}',
      '{{ context }}',
      '{{ getFilter("upper") }}',
      '{{ ctx }}',
      '{{ runtime }}',
      '{{ frame }}',
      '{{ __c }}',
    ])
      expect(failure(t).reason).toMatch(/undefined variable/);
  });
  it('iterates plain data only', () => {
    expect(r('{% for k, v in obj %}{{ k }}={{ v }};{% endfor %}')).toBe('k=1;');
    expect(r('{% for k, v in _vars %}{{ k }},{% endfor %}')).toBe('uid,x,obj,list,planId,');
    for (const t of [
      '{% for k, v in range %}{{ k }}{% endfor %}',
      '{% for k, v in upper %}{{ k }}{% endfor %}',
      '{% for k, v in joiner() %}{{ k }}{% endfor %}',
      '{% for k, v in now() %}{{ k }}{% endfor %}',
      '{% macro m() %}{% endmacro %}{% for k, v in m %}{{ k }}{% endfor %}',
    ])
      expect(failure(t).reason).toMatch(/cannot iterate/);
    // A cycler's methods, handed out by a loop over it, reach nothing but the cycler.
    expect(
      r(
        '{% set c = cycler("a", "b") %}{% for k, v in c %}{% if k == "next" %}{{ v() }}{{ v() }}{% endif %}{% endfor %}{{ c.current }}',
      ),
    ).toBe('abb');
  });
  it('does not print functions (their text is engine source)', () => {
    expect(failure('{{ upper }}').reason).toMatch(/cannot print/);
    expect(failure('{{ range ~ "" }}').reason).toMatch(/cannot print/);
  });
});

describe('one render cannot change the next', () => {
  it('freezes the environment, its maps and its functions', () => {
    expect(Object.isFrozen(nativeEnvironment)).toBe(true);
    expect(Object.isFrozen(nativeEnvironment.opts)).toBe(true);
    expect(Object.isFrozen(nativeEnvironment.globals)).toBe(true);
    expect(Object.getPrototypeOf(nativeEnvironment.globals)).toBeNull();
    expect(Object.isFrozen(nativeEnvironment.getFilter('upper'))).toBe(true);
    expect(Object.isFrozen(nativeEnvironment.getTest('odd'))).toBe(true);
    expect(() => nativeEnvironment.getFilter('valueOf')).toThrow(/unknown filter/);
    expect(() => nativeEnvironment.getTest('constructor')).toThrow(/unknown test/);
  });

  it('renders a normal template the same after hostile ones', () => {
    const normal =
      '{{ uid | upper }}-{{ planId | default("basic") }}-{{ [3, 1, 2] | sort | join(",") }}-{{ "<a>" }}-{{ missing is defined }}';
    const before = r(normal);
    const hostile = [
      '{% set upper = lower %}{% set default = 1 %}{{ x }}',
      '{% set autoescape = true %}{% set opts = 1 %}{{ x }}',
      '{% set c = cycler(1) %}{% set c.next = 1 %}',
      '{% macro sort() %}x{% endmacro %}{{ sort() }}',
      '{{ x | valueOf }}',
      '{{ [x] | select("__defineGetter__", upper) }}',
      '{% for k, v in range %}{% endfor %}',
      '{% set _vars = 1 %}{% set uid = "evil" %}{{ uid }}',
    ];
    for (const t of hostile)
      try {
        r(t);
      } catch (err) {
        expect(err).toBeInstanceOf(TemplateError);
      }
    expect(r(normal)).toBe(before);
    expect(before).toBe('ACME-basic-1,2,3-<a>-false');
  });
});

describe('budgets', () => {
  it.each([
    ['a huge range', '{% for i in range(100000000) %}{% endfor %}', /range.*1048576/],
    [
      'nested loops',
      '{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(10) %}{% endfor %}{% endfor %}{% endfor %}',
      /steps|time budget/,
    ],
    [
      'recursive macros',
      '{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}',
      /nesting limit of 200/,
    ],
    [
      'macros calling themselves twice (2^40 calls)',
      '{% macro m(n) %}{% if n > 0 %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(40) }}',
      /steps|time budget/,
    ],
    [
      'recursion through caller()',
      '{% macro m() %}{% call m() %}x{% endcall %}{% endmacro %}{{ m() }}',
      /nesting limit/,
    ],
    [
      'template text written in a loop',
      `{% for i in range(200000) %}${'x'.repeat(50)}{% endfor %}`,
      /output exceeded 1048576/,
    ],
    ['center(500000000)', '{{ "x" | center(500000000) }}', /center would produce 500000000/],
    ['slice(100000000)', '{{ [1, 2] | slice(100000000) }}', /slice would produce 100000000/],
    ['batch with a huge fill', '{{ [1] | batch(100000000, "x") }}', /batch would produce/],
    ['indent with a huge width', '{{ "a\nb" | indent(100000000) }}', /indent/],
    [
      'replace with a huge result',
      '{{ x | repeat(100000) | replace("", x | repeat(100)) }}',
      /replace|repeat/,
    ],
    ['join of a huge list', '{{ range(1000000) | join("xxxxxxxxxx") }}', /join|1048576/],
    [
      'string doubling with ~',
      '{% set s = "ab" %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}',
      /~ would produce/,
    ],
    [
      'string doubling with +',
      '{% set s = "ab" %}{% for i in range(40) %}{% set s = s + s %}{% endfor %}',
      /\+ would produce/,
    ],
    [
      'a doubled list printed',
      '{% set s = [1] %}{% for i in range(60) %}{% set s = [s, s] %}{% endfor %}{{ s }}',
      /steps|1048576/,
    ],
    [
      'a doubled list dumped',
      '{% set s = [1] %}{% for i in range(60) %}{% set s = [s, s] %}{% endfor %}{{ s | dump }}',
      /dump|steps/,
    ],
    [
      'a doubled list compared',
      '{% set s = [1] %}{% for i in range(60) %}{% set s = [s, s] %}{% endfor %}{{ s == "x" }}',
      /steps|1048576/,
    ],
    [
      'a doubled list in arithmetic',
      '{% set s = [1] %}{% for i in range(60) %}{% set s = [s, s] %}{% endfor %}{{ -s }}',
      /steps|1048576/,
    ],
    [
      'a doubled list through a nunjucks filter',
      '{% set s = [1] %}{% for i in range(60) %}{% set s = [s, s] %}{% endfor %}{{ s | string }}',
      /steps|1048576/,
    ],
    [
      'a doubled list searched',
      '{% set s = [1] %}{% for i in range(60) %}{% set s = [s, s] %}{% endfor %}{{ s in "abc" }}',
      /steps|1048576/,
    ],
    [
      'a doubled list as a key',
      '{% set s = [1] %}{% for i in range(60) %}{% set s = [s, s] %}{% endfor %}{{ obj[s] }}',
      /key must be a string or a number/,
    ],
    [
      'a list built by +',
      '{% set l = [1] %}{% for i in range(40) %}{% set l = l + l %}{% endfor %}',
      /\+ would produce/,
    ],
    [
      'dump of a value nested deeper than maxDepth',
      `{{ ${'['.repeat(250)}1${']'.repeat(250)} | dump(10) }}`,
      /nests deeper than 200/,
    ],
  ])('%s fails fast, naming the limit', (_what, template, reason) => {
    expect(fastFailure(template).reason).toMatch(reason);
  });

  it('counts loop iterations and output against the caller’s limits', () => {
    expect(
      failure('{% for i in range(20) %}{% endfor %}', { limits: { maxSteps: 10 } }).reason,
    ).toMatch(/budget of 10 steps/);
    expect(
      failure('{% for i in range(20) %}ab{% endfor %}', { limits: { maxOutputChars: 30 } }).reason,
    ).toMatch(/output exceeded 30/);
    expect(
      r('{% for i in range(5) %}ab{% endfor %}', vars, { limits: { maxOutputChars: 10 } }),
    ).toBe('ababababab');
  });

  it('refuses template text over the size limit at parse time', () => {
    const e = fastFailure(`{{ uid }}${'x'.repeat(MAX_NATIVE_TEMPLATE_CHARS)}`);
    expect([e.phase, e.reason]).toEqual(['parse', expect.stringMatching(/limited to 262144/)]);
  });

  it('refuses an unclosed {% raw %} in linear time (nunjucks takes quadratic time)', () => {
    const e = fastFailure(`{{ uid }}{% raw %}${'x'.repeat(200_000)}`, 1000);
    expect([e.phase, e.line, e.column]).toEqual(['parse', 1, 10]);
    expect(e.reason).toMatch(/raw %} is not closed/);
    expect(r('{% raw %}{{ uid }}{% raw %}{% endraw %}{% endraw %}-{{ uid }}')).toBe(
      '{{ uid }}{% raw %}{% endraw %}-acme',
    );
  });

  it('refuses templates that would compile to huge code', () => {
    // Nunjucks compiles the body of a `for k, v` loop twice, so nesting doubles the code.
    const nested = '{% for a, b in obj %}'.repeat(24) + '{{ uid }}' + '{% endfor %}'.repeat(24);
    expect(fastFailure(nested, 5000).reason).toMatch(/compiles to more than/);
    // Walking the tree once per nesting level, not twice (2^30 visits for 30 nested ifs).
    const ifs = '{% if uid %}'.repeat(30) + '{{ uid }}' + '{% endif %}'.repeat(30);
    const started = performance.now();
    expect(r(ifs)).toBe('acme');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(fastFailure(`{{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}`).reason).toMatch(
      /nests (deeper|too deeply)/,
    );
  });
});
