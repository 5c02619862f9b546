import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UsageError } from './command.js';
import { formatData, inline, outputFormat, table } from './output.js';

describe('output', () => {
  it('accepts table, yaml and json, and refuses others as a usage error', () => {
    expect(outputFormat(undefined)).toBe('table');
    expect(outputFormat('json')).toBe('json');
    expect(() => outputFormat('xml')).toThrow(UsageError);
  });

  it('prints the same data as json and yaml (YAML 1.1 quoting for kubectl)', () => {
    const data = { a: 'on', n: [1, 2], s: '0123' };
    expect(JSON.parse(formatData('json', data)!)).toEqual(data);
    const yaml = formatData('yaml', data)!;
    expect(yaml).toContain('a: "on"');
    expect(parseYaml(yaml)).toEqual(data);
    expect(formatData('table', data)).toBeUndefined();
  });

  it('pads table columns and shows values on one line', () => {
    expect(
      table(
        ['NAME', 'READY'],
        [
          ['a', 'True'],
          ['long-name', 'False'],
        ],
      ),
    ).toBe('NAME       READY\na          True\nlong-name  False');
    expect(inline('nginx:1.27')).toBe('nginx:1.27');
    expect(inline('two words')).toBe('"two words"');
    expect(inline('')).toBe('""');
    expect(inline(undefined)).toBe('<none>');
    expect(inline({ a: 1 })).toBe('{"a":1}');
    expect(inline('x'.repeat(200)).length).toBe(120);
  });
});
