import { describe, expect, it } from 'vitest';
import {
  TemplateError,
  compileTemplate,
  compiledTemplateCacheSize,
  renderTemplate,
} from './engine.js';

const vars = { uid: 'acme', obj: { a: 1 }, replicas: '3', planId: '' };
// The nunjucks syntax is off unless enabled.
const NUNJUCKS = { syntax: 'nunjucks', allowNunjucks: true } as const;

describe('sandbox (nunjucks syntax)', () => {
  // Known ways out of a stock nunjucks template; each must fail with an error.
  const escapes = [
    '{{ range.constructor("return process")() }}',
    '{{ cycler.constructor("return process")() }}',
    '{{ joiner.constructor("return process")() }}',
    '{{ uid.constructor.constructor("return process")() }}',
    '{{ uid["constructor"]["constructor"]("return globalThis")() }}',
    '{{ obj.__proto__ }}',
    '{{ __proto__ }}',
    '{{ constructor }}',
    '{{ constructor.constructor("return process")() }}',
    '{% set p = "__proto__" %}{{ obj[p].polluted }}',
    '{% set c = "constructor" %}{{ range[c]("return process")() }}',
    '{{ [obj] | groupby("constructor") }}',
    '{{ [obj] | selectattr("constructor") | list }}',
    '{{ [obj] | sort(false, false, "constructor") }}',
    '{{ [obj] | sum("constructor.constructor") }}',
    '{{ upper.constructor("return process")() }}',
    '{{ process.env }}',
    '{{ require("fs") }}',
    '{{ globalThis }}',
    '{{ obj.toString() }}',
    '{{ "a".constructor }}',
    '{{ uid.length.constructor }}',
    '{% include "/etc/passwd" %}',
    '{% set __proto__ = obj %}{{ polluted }}',
    '{% set constructor = 1 %}',
    '{% macro constructor() %}x{% endmacro %}',
    '{% for prototype in [1] %}{% endfor %}',
  ];
  it.each(escapes)('%s fails', (t) => {
    expect(() => renderTemplate(t, vars, NUNJUCKS)).toThrow(TemplateError);
  });

  it('leaves prototypes untouched', () => {
    expect(() =>
      renderTemplate('{% set p = "__proto__" %}{% set x = obj[p] %}', vars, NUNJUCKS),
    ).toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('nunjucks syntax', () => {
  const r = (t: string, v: Record<string, unknown> = vars) => renderTemplate(t, v, NUNJUCKS);
  it('offers the library as filters (value last) and globals (Go order)', () => {
    expect(r('{{ uid | upper }}-{{ planId | default("basic") }}')).toBe('ACME-basic');
    expect(r('{{ default("basic", planId) }}|{{ trunc(2, uid) }}|{{ uid | trunc(2) }}')).toBe(
      'basic|ac|ac',
    );
    expect(r('{{ dict("b", 1, "a", "x") | toJson }}')).toBe('{"a":"x","b":1}');
    expect(r('{{ replicas | int }}')).toBe('__LYNQ_TYPE_INT__3');
    expect(r('{% for x in splitList(",", "a,b") %}[{{ x }}]{% endfor %}')).toBe('[a][b]');
  });
  it('names undefined variables, and probes optional ones with default, is defined and _vars', () => {
    expect(() => r('{{ missingVar }}')).toThrow(/undefined variable "missingVar"/);
    expect(() => r('{{ missingVar | upper }}')).toThrow(/undefined variable "missingVar"/);
    expect(
      r('{{ missingVar | default("d") }}|{{ missingVar | d("p") }}|{{ uid | default("u") }}'),
    ).toBe('d|p|acme');
    expect(
      r(
        '{% if missingVar is defined %}yes{% else %}no{% endif %}|{{ uid is defined }}|{{ nope is undefined }}',
      ),
    ).toBe('no|true|true');
    expect(
      r(
        '{% set s = "x" %}{{ s | default("d") }}{% for i in [1] %}{{ i | default(0) }}{% endfor %}',
      ),
    ).toBe('x1');
    expect(() => r('{{ __probe("constructor") }}')).toThrow(TemplateError);
    expect(r('{{ index(_vars, "missingVar") | default("d") }}|{{ hasKey(_vars, "uid") }}')).toBe(
      'd|true',
    );
  });
  it('reports nunjucks errors with line:column', () => {
    try {
      r('line\n{{ uid | nosuchfilter }}');
      expect.fail('should not compile');
    } catch (err) {
      const e = err as TemplateError;
      expect([e.phase, e.line, e.column]).toEqual(['parse', 2, 10]);
      expect(e.reason).toContain('nosuchfilter');
    }
  });

  it('caps range()', () => {
    expect(r('{{ range(3) | join(",") }}|{{ range(1, 7, 2) | join(",") }}')).toBe('0,1,2|1,3,5');
    expect(() => r('{{ range(1000000000) | length }}')).toThrow(/limited/);
  });

  it('does not escape HTML', () => {
    expect(r('{{ "<a>&" }}')).toBe('<a>&');
  });
});

describe('go syntax', () => {
  const r = (t: string, v: Record<string, unknown> = vars) => renderTemplate(t, v);
  it('returns text without actions unchanged', () => {
    expect(r('plain {text} with {% and {# #}')).toBe('plain {text} with {% and {# #}');
  });
  it('keeps nunjucks syntax in Go text literal', () => {
    expect(r('{% raw %}{{ .uid }}{# x #}{{ "{{" }}')).toBe('{% raw %}acme{# x #}{{');
  });
  it('reports parse errors with line:column', () => {
    try {
      compileTemplate('line one\n  {{ .uid | nosuchfunc }}');
      expect.fail('should not parse');
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      const e = err as TemplateError;
      expect([e.phase, e.line, e.column]).toEqual(['parse', 2, 13]);
      expect(e.reason).toBe('function "nosuchfunc" not defined');
    }
  });
  it('reports execution errors with line:column and the missing key', () => {
    try {
      r('a\nb {{ .nope }}');
      expect.fail('should fail');
    } catch (err) {
      const e = err as TemplateError;
      expect([e.phase, e.line, e.column, e.reason]).toEqual([
        'execute',
        2,
        6,
        'map has no entry for key "nope"',
      ]);
    }
  });
  it('marks fail/required as template failures', () => {
    expect(() => r('{{ fail "boom" }}')).toThrow(/boom/);
    try {
      r('{{ required "need plan" .planId }}');
    } catch (err) {
      expect((err as TemplateError).failure).toBe(true);
    }
  });
  it('refuses results that would exhaust memory', () => {
    expect(() => r('{{ repeat 1000000000 "x" }}')).toThrow(/more than/);
    expect(() => r('{{ until 1000000000 }}')).toThrow(/limited/);
    expect(() => r('{{ range 1000000000 }}{{ end }}')).toThrow(/at most/);
    expect(() =>
      r(
        '{{ range until 1000 }}{{ range until 1000 }}{{ range until 2 }}{{ end }}{{ end }}{{ end }}',
      ),
    ).toThrow(/range iterations/);
  });

  it('rejects what it does not implement', () => {
    expect(() => r('{{ range list 1 }}{{ break }}{{ end }}')).toThrow(/not supported/);
    expect(() => r('{{ printf "%#v" .uid }}')).toThrow(/not supported/);
  });
  it('compiles once per (syntax, text)', () => {
    const a = compileTemplate('{{ "cached" }}');
    const b = compileTemplate('{{ "cached" }}');
    expect(a).toBe(b);
    expect(compileTemplate('{{ "cached" }}', 'nunjucks', { allowNunjucks: true })).not.toBe(a);
    expect(compiledTemplateCacheSize()).toBeGreaterThan(0);
  });
  it('is deterministic with an injected clock and random source', () => {
    let seed = 0;
    const random = () => (seed = (seed * 9301 + 49297) % 233280) / 233280;
    const opts = { clock: () => new Date('2026-03-04T05:06:07Z'), random };
    const first = renderTemplate(
      '{{ now | date "2006-01-02" }} {{ uuidv4 }} {{ randAlphaNum 8 }}',
      {},
      opts,
    );
    seed = 0;
    expect(
      renderTemplate('{{ now | date "2006-01-02" }} {{ uuidv4 }} {{ randAlphaNum 8 }}', {}, opts),
    ).toBe(first);
    expect(first).toMatch(
      /^2026-03-04 [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} [A-Za-z0-9]{8}$/,
    );
  });
});

// Outputs documented by Sprig (and Lynq's reference §4) for these inputs.
describe('function library: documented examples', () => {
  const table: [string, string][] = [
    ['{{ trim "   hello    " }}', 'hello'],
    ['{{ trimAll "$" "$5.00" }}', '5.00'],
    ['{{ trimSuffix "-" "hello-" }}', 'hello'],
    ['{{ trimPrefix "-" "-hello" }}', 'hello'],
    ['{{ upper "hello" }}', 'HELLO'],
    ['{{ lower "HELLO" }}', 'hello'],
    ['{{ title "hello world" }}', 'Hello World'],
    ['{{ repeat 3 "hello" }}', 'hellohellohello'],
    ['{{ substr 0 5 "hello world" }}', 'hello'],
    ['{{ nospace "hello w o r l d" }}', 'helloworld'],
    ['{{ trunc 5 "hello world" }}', 'hello'],
    ['{{ trunc -5 "hello world" }}', 'world'],
    ['{{ abbrev 5 "hello world" }}', 'he...'],
    ['{{ contains "cat" "catch" }}', 'true'],
    ['{{ hasPrefix "cat" "catch" }}', 'true'],
    ['{{ hasSuffix "cat" "ducat" }}', 'true'],
    ['{{ "I Am Henry VIII" | replace " " "-" }}', 'I-Am-Henry-VIII'],
    ['{{ snakecase "FirstName" }}', 'first_name'],
    ['{{ camelcase "http_server" }}', 'HttpServer'],
    ['{{ kebabcase "FirstName" }}', 'first-name'],
    [
      '{{ regexMatch "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\\\.[A-Za-z]{2,}$" "test@acme.com" }}',
      'true',
    ],
    ['{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}', '-W-xxW-'],
    ['{{ join "-" (list "a" "b" "c") }}', 'a-b-c'],
    ['{{ splitList "$" "foo$bar$baz" }}', '[foo bar baz]'],
    ['{{ quote "a" }} {{ squote "b" }}', '"a" \'b\''],
    ['{{ default "foo" "" }}', 'foo'],
    ['{{ coalesce 0 1 2 }}', '1'],
    ['{{ ternary "foo" "bar" true }}', 'foo'],
    ['{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }}', 'aGVsbG8= hello'],
    ['{{ sha1sum "test" }}', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
    [
      '{{ sha256sum "Hello world!" }}',
      'c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a',
    ],
    ['{{ adler32sum "Hello world!" }}', '487130206'],
    [
      '{{ first (list 1 2 3) }} {{ last (list 1 2 3) }} {{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }}',
      '1 3 [2 3] [1 2]',
    ],
    ['{{ uniq (list 1 1 1 2) }} {{ compact (list 1 "" nil 2) }}', '[1 2] [1 2]'],
    [
      '{{ append (list 1 2) 3 }} {{ prepend (list 1 2) 0 }} {{ concat (list 1) (list 2) }}',
      '[1 2 3] [0 1 2] [1 2]',
    ],
    ['{{ has 4 (list 1 2 3 4) }}', 'true'],
    [
      '{{ $d := dict "name1" "value1" }}{{ get $d "name1" }} {{ hasKey $d "name1" }}',
      'value1 true',
    ],
    ['{{ pluck "name1" (dict "name1" "a") (dict "name1" "b") }}', '[a b]'],
    ['{{ add 1 2 }} {{ sub 3 2 }} {{ mul 2 2 }} {{ div 6 3 }} {{ mod 5 3 }}', '3 1 4 2 2'],
    ['{{ max 1 2 3 }} {{ min 1 2 3 }}', '3 1'],
    ['{{ floor 123.9999 }} {{ ceil 123.001 }} {{ round 123.555555 3 }}', '123 124 123.556'],
    [
      '{{ toHost "https://example.com:8080/path" }} {{ toHost "example.com:8080" }}',
      'example.com example.com',
    ],
    [
      '{{ "0123456789012345678901234567890123456789012345678901234567890123456789" | trunc63 | len }}',
      '63',
    ],
    ['{{ (fromJson "{\\"a\\":{\\"b\\":1}}").a.b }} {{ fromJson "not json" }}', '1 map[]'],
    [
      '{{ "7" | int }} {{ "1.5" | float }} {{ "yes" | bool }}',
      '__LYNQ_TYPE_INT__7 __LYNQ_TYPE_FLOAT__1.5 __LYNQ_TYPE_BOOL__true',
    ],
  ];
  it.each(table)('%s → %s', (template, expected) => {
    expect(renderTemplate(template, {})).toBe(expected);
  });
});
