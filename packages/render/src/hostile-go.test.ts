// Templates are written by whoever may create a LynqForm: each attack class on the go syntax
// found by issue 11 is a regression test here. Every attack must end in a TemplateError that
// says what was refused, quickly, and leave the process (Object.prototype, the function table,
// later renders) as it was.
import { readFileSync } from 'node:fs';
import { assertParsed, parseForm } from '@lynq/api';
import { afterEach, describe, expect, it } from 'vitest';
import { RenderBudgetError } from './budget.js';
import {
  TemplateError,
  compileTemplate,
  compiledTemplateCacheStats,
  renderTemplate,
  type RenderOptions,
} from './engine.js';
import { FUNCTIONS } from './functions/library.js';
import { renderForm } from './render-form.js';
import { buildVariables } from './variables.js';

/** Generous for a shared CI machine; every attack below took seconds to minutes, or crashed Node. */
const FAST_MS = 1000;

function render(template: string, vars: Record<string, unknown> = {}, options?: RenderOptions) {
  return renderTemplate(template, vars, options);
}

/** Renders and returns the TemplateError it must fail with, checking it came fast. */
function refused(
  template: string,
  vars: Record<string, unknown> = {},
  options?: RenderOptions,
): TemplateError {
  const start = performance.now();
  let error: unknown;
  try {
    render(template, vars, options);
  } catch (err) {
    error = err;
  }
  const ms = performance.now() - start;
  expect(error, `${template} rendered`).toBeInstanceOf(TemplateError);
  expect(ms, `${template} took ${ms.toFixed(0)} ms`).toBeLessThan(FAST_MS);
  return error as TemplateError;
}

function isPolluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.polluted !== undefined || Object.hasOwn(Object.prototype, 'polluted');
}

afterEach(() => {
  // A failed test must not leave pollution behind for the others.
  delete (Object.prototype as Record<string, unknown>).polluted;
});

describe('prototype pollution', () => {
  const attacks: [string, string][] = [
    ['merge of dict', '{{ $_ := merge (dict) (dict "__proto__" (dict "polluted" "yes")) }}'],
    [
      'merge of fromJson',
      '{{ $_ := merge (dict) (fromJson "{\\"__proto__\\":{\\"polluted\\":\\"yes\\"}}") }}',
    ],
    ['merge of fromYaml', '{{ $_ := merge (dict) (fromYaml "__proto__:\\n  polluted: yes") }}'],
    [
      'merge of a map built with set',
      '{{ $p := dict }}{{ $_ := set $p "__proto__" (dict "polluted" "yes") }}{{ $_ := merge (dict) $p }}',
    ],
    ['merge into the data', '{{ $_ := merge . (dict "__proto__" (dict "polluted" "yes")) }}'],
    [
      'merge through constructor.prototype',
      '{{ $_ := merge (dict) (dict "constructor" (dict "prototype" (dict "polluted" "yes"))) }}',
    ],
    [
      'nested merge',
      '{{ $a := dict "x" (dict) }}{{ $_ := merge $a (dict "x" (dict "__proto__" (dict "polluted" "yes"))) }}',
    ],
    [
      'pick and omit',
      '{{ $_ := merge (pick (dict "__proto__" (dict "polluted" 1)) "__proto__") (omit (dict "__proto__" (dict "polluted" 1)) "a") }}',
    ],
  ];
  it.each(attacks)('%s does not reach Object.prototype', (_name, template) => {
    render(template, { uid: 'acme' });
    expect(isPolluted()).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps __proto__, constructor and prototype as ordinary keys, as Go does', () => {
    expect(render('{{ (dict "__proto__" "x").__proto__ }}')).toBe('x');
    expect(render('{{ index (dict "__proto__" "x") "__proto__" }}')).toBe('x');
    expect(render('{{ get (dict "constructor" "c") "constructor" }}')).toBe('c');
    expect(render('{{ hasKey (dict) "constructor" }}|{{ hasKey (dict) "__proto__" }}')).toBe(
      'false|false',
    );
    expect(
      render(
        '{{ $m := merge (dict) (dict "__proto__" (dict "polluted" "yes")) }}{{ $m.__proto__.polluted }}|{{ keys $m }}',
      ),
    ).toBe('yes|[__proto__]');
    expect(render('{{ (fromJson "{\\"__proto__\\":{\\"a\\":1}}").__proto__.a }}')).toBe('1');
    expect(render('{{ (fromYaml "__proto__: {a: b}").__proto__.a }}')).toBe('b');
    expect(render('{{ toJson (dict "prototype" (dict "constructor" 1)) }}')).toBe(
      '{"prototype":{"constructor":1}}',
    );
    expect(render('{{ pluck "__proto__" (dict "__proto__" 1) (dict) }}')).toBe('[1]');
  });

  it('never reads a prototype from the data', () => {
    expect(refused('{{ .constructor }}', { uid: 'a' }).reason).toBe(
      'map has no entry for key "constructor"',
    );
    expect(refused('{{ .__proto__ }}', { uid: 'a' }).reason).toBe(
      'map has no entry for key "__proto__"',
    );
    expect(render('{{ index . "toString" }}|{{ get . "valueOf" }}', { uid: 'a' })).toBe(
      '<no value>|',
    );
    const own = JSON.parse('{"__proto__":"own"}') as Record<string, unknown>;
    expect(render('{{ .__proto__ }}', own)).toBe('own');
    const vars = buildVariables({ uid: 'a', extra: { ['__proto__']: 'pro', constructor: 'c' } });
    expect(render('{{ .__proto__ }}|{{ .constructor }}|{{ .uid }}', vars)).toBe('pro|c|a');
  });
});

describe('one render never changes another', () => {
  const polluted: string[] = [];
  function pollute(key: string, value: unknown) {
    Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
    polluted.push(key);
  }
  afterEach(() => {
    for (const k of polluted.splice(0)) delete (Object.prototype as Record<string, unknown>)[k];
  });

  it('reads options as own properties only (missingKey, clock, random, syntax, limits)', () => {
    pollute('missingKey', 'zero');
    pollute('clock', () => 0);
    pollute('random', () => 0);
    pollute('syntax', 'nunjucks');
    pollute('limits', { maxSteps: 1e12 });
    pollute('maxSteps', 1e12);
    expect(refused('{{ .missing }}', { uid: 'a' }).reason).toBe(
      'map has no entry for key "missing"',
    );
    expect(render('{{ now | date "2006" }}')).not.toBe('1970');
    expect(render('{{ randAlphaNum 16 }}')).not.toBe('A'.repeat(16));
    expect(render('{{ .uid }}', { uid: 'go' })).toBe('go');
    expect(
      refused('{{ range until 1000 }}{{ range until 1001 }}{{ end }}{{ end }}').reason,
    ).toMatch(/budget of 1000000 steps/);
  });

  it('keeps the function table frozen: no variadic or parameter can be added', () => {
    pollute('variadic', 'any');
    expect(refused('{{ upper "a" "b" }}').reason).toMatch(/wrong number of args for upper/);
    const upper = FUNCTIONS.upper!;
    expect(Object.isFrozen(FUNCTIONS)).toBe(true);
    expect(Object.isFrozen(upper)).toBe(true);
    expect(Object.isFrozen(upper.params)).toBe(true);
    expect(Object.getPrototypeOf(upper)).toBeNull();
    expect(() => (upper.params as string[]).push('any')).toThrow(TypeError);
  });

  it('gives each render its own copy of the data to change', () => {
    const vars = { uid: 'acme', nested: { plan: 'pro' } };
    expect(
      render(
        '{{ $_ := set . "uid" "evil" }}{{ $_ := unset .nested "plan" }}{{ $_ := merge .nested (dict "x" 1) }}{{ .uid }}',
        vars,
      ),
    ).toBe('evil');
    expect(vars).toEqual({ uid: 'acme', nested: { plan: 'pro' } });
    expect(render('{{ .uid }}-{{ .nested.plan }}', vars)).toBe('acme-pro');
  });

  it('starts every render with a fresh budget', () => {
    const t = '{{ range until 400000 }}{{ end }}ok';
    expect(render(t)).toBe('ok');
    expect(render(t)).toBe('ok');
  });
});

describe('denial of service', () => {
  it('matches regexes in linear time (RE2)', () => {
    const start = performance.now();
    expect(render(`{{ regexMatch "^(a+)+$" "${'a'.repeat(30)}!" }}`)).toBe('false');
    expect(render(`{{ regexFind "(x+x+)+y" "${'x'.repeat(5000)}" }}`)).toBe('');
    expect(render(`{{ regexReplaceAll "(a|aa)+$" "${'a'.repeat(5000)}b" "-" }}`)).toBe(
      `${'a'.repeat(5000)}b`,
    );
    expect(performance.now() - start).toBeLessThan(FAST_MS);
    // Go's syntax: lookarounds are errors, as in Go.
    expect(refused('{{ regexFind "a(?=b)" "ab" }}').reason).toMatch(
      /invalid or unsupported Perl syntax/,
    );
  });

  it('trims long runs of spaces in linear time', () => {
    const start = performance.now();
    expect(render('{{ trim (printf "a%*sb" 200000 "") | len }}')).toBe('200002');
    expect(render(`a${' '.repeat(200000)}b {{- "c" }}`)).toBe(`a${' '.repeat(200000)}bc`);
    expect(performance.now() - start).toBeLessThan(FAST_MS);
  });

  it('refuses until/untilStep/range that would exceed the budget', () => {
    expect(refused('{{ uniq (until 1000000) | len }}').reason).toMatch(/steps/);
    expect(refused('{{ until 1000000000 }}').reason).toMatch(
      /until would produce 1000000000 items/,
    );
    expect(refused('{{ untilStep 0 2000000000 2 }}').reason).toMatch(/untilStep would produce/);
    expect(refused('{{ range 1000000000 }}{{ end }}').reason).toMatch(/range over 1000000000/);
    expect(
      refused(
        '{{ range until 1000 }}{{ range until 1000 }}{{ range until 1000 }}{{ end }}{{ end }}{{ end }}',
      ).reason,
    ).toMatch(/budget of 1000000 steps/);
  });

  const doubled = (make: string, n = 50) =>
    `{{ $x := list 1 }}{{ $y := list 1 }}{{ range until ${n} }}{{ $x = ${make.replace(/X/g, '$x')} }}{{ $y = ${make.replace(/X/g, '$y')} }}{{ end }}`;
  it.each([
    ['toJson', `${doubled('list X X')}{{ toJson $x }}`],
    ['toPrettyJson', `${doubled('list X X')}{{ toPrettyJson $x }}`],
    ['toRawJson', `${doubled('dict "a" X "b" X')}{{ toRawJson $x }}`],
    ['toYaml', `${doubled('dict "a" X "b" X')}{{ toYaml $x }}`],
    ['toString', `${doubled('list X X')}{{ toString $x }}`],
    ['printf %v', `${doubled('list X X')}{{ printf "%v" $x }}`],
    ['print', `${doubled('list X X')}{{ print $x }}`],
    ['output', `${doubled('list X X')}{{ $x }}`],
    ['join', `${doubled('list X X')}{{ join "," $x }}`],
    ['sortAlpha', `${doubled('list X X')}{{ sortAlpha $x }}`],
    ['concat', `${doubled('concat X X')}{{ len $x }}`],
    [
      'append',
      `{{ $x := list }}{{ range until 2000 }}{{ $x = append $x $x }}{{ end }}{{ len $x }}`,
    ],
  ])('stops %s of a structure doubled 50 times', (_name, template) => {
    const e = refused(template);
    expect(e.cause).toBeInstanceOf(Error);
    expect(e.reason).toMatch(/limited to|limits\.|budget/);
  });

  it('compares doubled structures (has, uniq, without) in linear time', () => {
    const start = performance.now();
    expect(render(`${doubled('list X X')}{{ has $x (list $y) }}`)).toBe('true');
    expect(render(`${doubled('list X X')}{{ len (uniq (list $x $y)) }}`)).toBe('1');
    expect(render(`${doubled('dict "a" X "b" X')}{{ len (without (list $x) $y) }}`)).toBe('0');
    expect(performance.now() - start).toBeLessThan(FAST_MS);
  });

  it('refuses printf widths and precisions beyond the value limit, before padding', () => {
    // Go's fmt gives up on widths over a million digits' worth (and so do we).
    expect(render('{{ printf "%0536870000d" 1 }}')).toBe('%!(NOVERB)%!(EXTRA int=1)');
    expect(render('{{ printf "%*d|%.*d" 2000000 1 -1 2 }}')).toBe('%!(BADWIDTH)1|%!(BADPREC)2');
    expect(refused('{{ printf "%09999999d" 1 }}').reason).toMatch(
      /printf width would produce 9999999 characters, more than the 1048576/,
    );
    expect(refused('{{ printf "%.9999999f" 1.5 }}').reason).toMatch(/printf precision/);
    expect(refused('{{ $s := printf "%*s" 1000000 "" }}{{ printf "%s%s" $s $s }}').reason).toMatch(
      /printf would produce/,
    );
  });

  it.each([
    ['printf', 'printf "%s%s" $s $s'],
    ['print', 'print $s $s'],
    ['cat', 'cat $s $s'],
    ['replace', 'replace "x" "xx" $s'],
    ['repeat', 'repeat 2 $s'],
    ['join', 'join "" (list $s $s)'],
    ['regexReplaceAll', 'regexReplaceAll "x" $s "xx"'],
    ['b64enc', 'b64enc $s'],
    ['toJson', 'toJson $s'],
    ['indent', 'indent (len $s) $s'],
    ['nindent', 'nindent (len $s) $s'],
  ])('stops string doubling through %s', (name, step) => {
    const e = refused(`{{ $s := "x" }}{{ range until 60 }}{{ $s = ${step} }}{{ end }}{{ len $s }}`);
    expect(e.reason).toContain(`error calling ${name}:`);
    expect(e.reason).toMatch(/limits\.maxValueSize|budget of 1000000 steps/);
  });

  it.each([
    ['randAlphaNum', '{{ randAlphaNum 1000000000 }}'],
    ['repeat', '{{ repeat 1000000000 "x" }}'],
    ['indent', '{{ indent 500000000 "x" }}'],
    ['nindent', '{{ nindent 500000000 "x" }}'],
    ['b64enc', '{{ b64enc (repeat 1000000 "x") }}'],
    ['splitList', '{{ splitList "" .big | len }}'],
  ])('checks %s sizes before building', (name, template) => {
    expect(refused(template, { big: 'x'.repeat(2_000_000) }).reason).toContain(
      `${name} would produce`,
    );
  });

  it('caps the output of a render', () => {
    expect(refused('{{ range until 100000 }}{{ repeat 100 "x" }}{{ end }}').reason).toBe(
      'template output exceeded 1048576 characters',
    );
    expect(render('{{ repeat 100 "x" }}', {}, { limits: { maxOutputChars: 100 } })).toHaveLength(
      100,
    );
    expect(refused('{{ repeat 101 "x" }}', {}, { limits: { maxOutputChars: 100 } }).line).toBe(1);
  });

  it('applies limits given to renderForm to each template of the form', () => {
    const form = assertParsed(
      parseForm(readFileSync(new URL('./testdata/seed-form.yaml', import.meta.url), 'utf8')),
    );
    const vars = buildVariables({ uid: 'acme', extra: { planId: '', deployImage: '' } });
    expect(renderForm(form, vars, { namespace: 'default' }).errors).toEqual([]);
    const { errors } = renderForm(form, vars, {
      namespace: 'default',
      limits: { maxOutputChars: 3 },
    });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.message).toMatch(/template output exceeded 3 characters/);
  });

  it('stops a render that runs out of time', () => {
    const e = refused(
      '{{ range until 1000000 }}{{ sha256sum (repeat 1000 "x") }}{{ end }}',
      {},
      {
        limits: { timeoutMs: 50, maxSteps: 1e9, maxOutputChars: 1e9 },
      },
    );
    expect(e.cause).toBeInstanceOf(RenderBudgetError);
    expect((e.cause as RenderBudgetError).kind).toBe('time');
    expect(e.reason).toMatch(/time budget of 50 ms/);
  });

  it('refuses define/template (no recursion) and deep nesting at parse time', () => {
    const start = performance.now();
    for (const t of [
      '{{ define "x" }}{{ template "x" }}{{ end }}{{ template "x" }}',
      '{{ block "x" . }}{{ template "x" }}{{ end }}',
      `${'{{ if true }}'.repeat(5000)}${'{{ end }}'.repeat(5000)}`,
      `{{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}`,
      `{{ if false }}${'{{ else if false }}'.repeat(5000)}{{ end }}`,
    ]) {
      expect(() => compileTemplate(t)).toThrow(TemplateError);
      expect(() => compileTemplate(t)).toThrow(/not supported|nests deeper than 200/);
    }
    expect(performance.now() - start).toBeLessThan(FAST_MS);
  });

  it('runs a long pipeline without nesting the interpreter', () => {
    expect(render(`{{ "a" ${'| upper '.repeat(20000)}}}`)).toBe('A');
  });

  it('refuses data nested too deeply or cyclic, instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(refused('{{ toJson . }}', cyclic).reason).toMatch(/nests deeper than 200/);
    expect(refused('{{ $_ := set . "b" 2 }}', cyclic).reason).toMatch(/nests deeper than 200/);
    expect(
      refused(`{{ toJson (fromJson "${'['.repeat(1000)}${']'.repeat(1000)}") }}`).reason,
    ).toMatch(/nests deeper than 200/);
  });

  it('refuses a huge template with a parse error instead of compiling it', () => {
    const before = compiledTemplateCacheStats();
    const huge = `{{ .uid }}${'x'.repeat(1024 * 1024)}`;
    const start = performance.now();
    try {
      compileTemplate(huge);
      expect.fail('compiled');
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).phase).toBe('parse');
      expect((err as TemplateError).reason).toBe(
        'template is 1048586 characters long; templates are limited to 262144',
      );
    }
    expect(performance.now() - start).toBeLessThan(FAST_MS);
    expect(compiledTemplateCacheStats().entries).toBe(before.entries);
  });

  it('bounds the compile cache in estimated bytes', () => {
    const stats = compiledTemplateCacheStats();
    expect(stats.maxBytes).toBe(64 * 1024 * 1024);
    for (let i = 0; i < 400; i++) compileTemplate(`{{ .uid }}${i}${'y'.repeat(200 * 1024)}`);
    const after = compiledTemplateCacheStats();
    expect(after.estimatedBytes).toBeLessThanOrEqual(after.maxBytes);
    expect(after.entries).toBeLessThan(400);
    const small = compileTemplate('{{ .uid }}-small');
    expect(compileTemplate('{{ .uid }}-small')).toBe(small);
  });
});
