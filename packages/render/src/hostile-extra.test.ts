// Attacks found by the second hostile pass over the go syntax (issue 11), kept as regressions.
import { describe, expect, it } from 'vitest';
import { RenderBudgetError } from './budget.js';
import { TemplateError, renderTemplate } from './engine.js';

function refusedFast(template: string): TemplateError {
  const start = performance.now();
  let error: unknown;
  try {
    renderTemplate(template, {});
  } catch (err) {
    error = err;
  }
  expect(error, `${template} rendered`).toBeInstanceOf(TemplateError);
  expect(performance.now() - start).toBeLessThan(1000);
  return error as TemplateError;
}

describe('fromYaml of deeply nested text', () => {
  // Composing overflowed the stack; the second such call killed Node with a fatal
  // "RegExpCompiler Allocation failed - process out of memory" that no catch can stop.
  it.each([
    ['flow sequences', 'repeat 10000 "["'],
    ['flow maps', 'repeat 10000 "{a: "'],
    ['block sequences on one line', 'repeat 10000 "- "'],
    ['explicit keys', 'repeat 10000 "? "'],
  ])('refuses %s before composing them, every time', (_name, make) => {
    const e = refusedFast(
      `{{ $y := ${make} }}{{ range until 20 }}{{ $_ := fromYaml $y }}{{ end }}`,
    );
    expect(e.cause).toBeInstanceOf(RenderBudgetError);
    expect(e.reason).toMatch(/fromYaml: YAML nests deeper than 402 levels/);
  });

  it('refuses deeply indented block maps', () => {
    const deep = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    const start = performance.now();
    expect(() =>
      renderTemplate('{{ range until 5 }}{{ $_ := fromYaml $.y }}{{ end }}', { y: deep }),
    ).toThrow(/YAML nests deeper than/);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('still reads nesting within the limits, and brackets inside scalars and comments', () => {
    const nested = `${'['.repeat(150)}1${']'.repeat(150)}`;
    expect(renderTemplate(`{{ (fromYaml "a: ${nested}").a | toJson | len }}`, {})).toBe('301');
    const block = Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(renderTemplate('{{ len (fromYaml .y) }}', { y: `${block} x` })).toBe('1');
    const text = `a: "${'['.repeat(1000)}" # ${'{'.repeat(1000)}\nb: |\n  ${'['.repeat(1000)}\n`;
    expect(renderTemplate('{{ len (fromYaml .y).a }}|{{ len (fromYaml .y).b }}', { y: text })).toBe(
      '1000|1001',
    );
  });
});
