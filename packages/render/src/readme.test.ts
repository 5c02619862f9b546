// The function tables of README.md are examples users copy: run every one of them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from './functions/library.js';
import { renderTemplate } from './engine.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const functionsSection = readme.slice(
  readme.indexOf('## Functions'),
  readme.indexOf('## Differential testing'),
);

/** Splits a markdown table row on unescaped pipes. */
function cells(line: string): string[] {
  return line
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

const code = (cell: string) =>
  cell.startsWith('`') && cell.endsWith('`') ? cell.slice(1, -1) : undefined;

const rows = functionsSection
  .split('\n')
  .filter((l) => l.startsWith('| `'))
  .map(cells);

describe('README function tables', () => {
  it('document every library function', () => {
    const documented = new Set(
      rows.flatMap((r) => r[0]!.match(/`[^`]+`/g)!.flatMap((c) => c.slice(1, -1).split(' '))),
    );
    expect(Object.keys(FUNCTIONS).filter((f) => !documented.has(f))).toEqual([]);
  });

  const examples = rows.filter((r) => code(r[2]!) !== undefined);
  it.each(examples.map((r) => [r[2]!, r[3]!] as const))('%s → %s', (example, result) => {
    const expected = result === '``' ? '' : code(result)!.replace(/\\n/g, '\n');
    const out = renderTemplate(
      code(example)!,
      {},
      { clock: () => Date.parse('2026-01-02T03:04:05Z') },
    );
    expect(out).toBe(expected);
  });
});
