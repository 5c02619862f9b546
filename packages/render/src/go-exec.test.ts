// The interpreter and the library beyond the differential corpus of oracle.test.ts. Every
// expected output below is what Go's text/template + Sprig v3.3.0 print (checked with oracle/).
import { describe, expect, it } from 'vitest';
import { compileTemplate, renderTemplate, type TemplateError } from './engine.js';

const r = (t: string, vars: Record<string, unknown> = { uid: 'acme-corp' }) =>
  renderTemplate(t, vars, { clock: () => Date.parse('2026-01-02T03:04:05Z') });

describe('go/exec: evaluation as in Go', () => {
  it('evaluates the piped value before the arguments', () => {
    expect(() => r('{{ fail "a" | printf "%s %s" (fail "b") }}')).toThrow(
      /^1:4: error calling fail: a$/,
    );
    // and/or evaluate their own arguments first, then return the piped value.
    expect(() => r('{{ "x" | or (fail "b") }}')).toThrow(/error calling fail: b/);
    expect(r('{{ "" | or 0 }}|{{ "x" | and 1 }}')).toBe('|x');
  });

  it('ranges over int64 values', () => {
    expect(r('{{ range (add 1 2) }}{{ . }}{{ end }}')).toBe('012');
  });

  it('ranges over the keys and values a map had when the range started', () => {
    expect(
      r(
        '{{ $m := dict "b" 1 "a" 2 }}{{ range $k, $v := $m }}{{ $_ := unset $m "b" }}{{ $k }}={{ $v }};{{ end }}',
      ),
    ).toBe('a=2;b=1;');
    expect(
      r('{{ $l := list 1 2 }}{{ range $l }}{{ $l = append $l 3 }}{{ . }}{{ end }}{{ $l }}'),
    ).toBe('12[1 2 3 3]');
  });

  it('reports positions of runtime errors at the failing operand', () => {
    try {
      r('{{ $x := dict }}\n  {{ $x.a.b }}');
      expect.fail('rendered');
    } catch (err) {
      const e = err as TemplateError;
      expect([e.phase, e.line, e.column, e.reason]).toEqual([
        'execute',
        2,
        6,
        'map has no entry for key "a"',
      ]);
    }
  });

  it('parses once and renders many times with separate state', () => {
    const t = compileTemplate(
      '{{ $n := 0 }}{{ range until 3 }}{{ $n = add $n 1 }}{{ end }}{{ $n }}',
    );
    expect(t.render({})).toBe('3');
    expect(t.render({})).toBe('3');
  });
});

describe('Go fmt details', () => {
  it('treats bad and too large widths and precisions as Go does', () => {
    expect(r('{{ printf "%.*d|%*d|%-*d|" -3 5 -4 1 3 2 }}')).toBe('%!(BADPREC)5|1   |2  |');
    expect(r('{{ printf "%0536870000d" 1 }}|{{ printf "%*d" 2000000 1 }}')).toBe(
      '%!(NOVERB)%!(EXTRA int=1)|%!(BADWIDTH)1',
    );
  });
  it('prints invalid runes as U+FFFD', () => {
    expect(r('{{ printf "%c|%q|%#U|%#U" 55296 1114112 1114112 65 }}')).toBe(
      "\ufffd|'\ufffd'|U+110000|U+0041 'A'",
    );
  });
});

describe('Sprig details', () => {
  it('replaces an empty string before every rune and at the end', () => {
    expect(r('{{ replace "" "-" "hé" }}|{{ replace "" "-" "" }}')).toBe('-h-é-|-');
  });
  it('refuses a negative indent, as strings.Repeat does', () => {
    expect(() => r('{{ indent -2 "a" }}')).toThrow(/negative Repeat count/);
  });
  it('compares lists and maps deeply in uniq, has and without', () => {
    expect(
      r(
        '{{ uniq (list (list 1) (list 1) (dict "a" 1) (dict "a" 1)) }}|{{ has (list 1 (dict)) (list (list 1 (dict))) }}|{{ without (list 1 2 1) 1 }}',
      ),
    ).toBe('[[1] map[a:1]]|true|[2]');
  });
});

describe('regular expressions (RE2, as Go)', () => {
  it('skips an empty match right after a match', () => {
    expect(
      r(
        '{{ regexFindAll "a*" "baaab" -1 }}|{{ regexReplaceAll "a*" "baaab" "-" }}|{{ regexFindAll "" "héé" -1 }}',
      ),
    ).toBe('[ aaa ]|-b-b-|[   ]');
  });
  it("expands replacement templates with Go's rules", () => {
    expect(r('{{ regexReplaceAll "(a)(b)" "ab" "$01|${1}x|$2$1|${}|$" }}')).toBe('|ax|ba|${}|$');
  });
  it('splits, quotes and replaces literally as Go does, and must* variants fail on bad patterns', () => {
    expect(
      r(
        '{{ regexSplit "," "a,b,,c" -1 }}|{{ regexSplit "," "a,b,,c" 2 }}|{{ regexSplit "," "a,b,,c" 0 }}|{{ regexSplit "x*" "axbc" -1 }}|{{ regexSplit "," "" -1 }}|{{ regexSplit "c$" "abc" -1 }}|{{ len (regexSplit "b" "b" -1) }}',
      ),
    ).toBe('[a b  c]|[a b,,c]|[]|[a b c]|[]|[ab ]|2');
    expect(r('{{ regexQuoteMeta "a.b+c*?()|[]{}^$\\\\x-é" }}')).toBe(
      'a\\.b\\+c\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$\\\\x-é',
    );
    expect(r('{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}W" }}')).toBe('-${1}W-${1}W-');
    expect(
      r(
        '{{ mustRegexMatch "a" "a" }}|{{ regexMatch "[" "a" }}|{{ mustRegexFindAll "a" "aaa" 2 }}|{{ mustRegexFind "a+" "baab" }}|{{ mustRegexReplaceAll "a" "bab" "$0$0" }}|{{ mustRegexReplaceAllLiteral "a" "bab" "$0" }}|{{ mustRegexSplit "a" "bab" -1 }}',
      ),
    ).toBe('true|false|[a a]|aa|baab|b$0b|[b b]');
    expect(() => r('{{ mustRegexMatch "[" "a" }}')).toThrow(
      'error calling mustRegexMatch: error parsing regexp: missing closing ]: `[`',
    );
  });

  it("accepts Go's syntax: inline flags, \\z, POSIX classes, word boundaries", () => {
    expect(
      r(
        '{{ regexMatch "^(a+)+$" "aaaa!" }}|{{ regexFind "(?i)ACME" "x-acme" }}|{{ regexReplaceAll "\\\\b" "ab cd" "|" }}|{{ regexFind "[[:digit:]]+\\\\z" "a12" }}',
      ),
    ).toBe('false|acme||ab| |cd||12');
  });
});
