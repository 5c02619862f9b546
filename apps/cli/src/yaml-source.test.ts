import { describe, expect, it } from 'vitest';
import { parsePath, parseYamlDocuments } from './yaml-source.js';

describe('parsePath', () => {
  it('reads the paths @lynq/api formats', () => {
    expect(parsePath("spec.deployments[0].spec.metadata.labels['app.kubernetes.io/name']")).toEqual(
      ['spec', 'deployments', 0, 'spec', 'metadata', 'labels', 'app.kubernetes.io/name'],
    );
    expect(parsePath("a['it\\'s']")).toEqual(['a', "it's"]);
    expect(parsePath('')).toEqual([]);
  });
});

describe('parseYamlDocuments', () => {
  const text = `# comment
a: 1
b:
  c: [x, y]
  'd.e': { f: 2 }
  g:
---
- 1
`;
  it('positions fields, list items, quoted keys, and the nearest parent of a missing field', () => {
    const [doc, second] = parseYamlDocuments(text);
    expect(doc!.start).toEqual({ line: 2, column: 1 });
    expect(doc!.positionOf('a')).toEqual({ line: 2, column: 4 });
    expect(doc!.positionOf('b.c[1]')).toEqual({ line: 4, column: 10 });
    expect(doc!.positionOf("b['d.e'].f")).toEqual({ line: 5, column: 15 });
    // A key without a value: the key.
    expect(doc!.positionOf('b.g')).toEqual({ line: 6, column: 3 });
    // Missing: the deepest parent that exists.
    expect(doc!.positionOf('b.c[7].z')).toEqual({ line: 4, column: 6 });
    expect(second!.index).toBe(1);
    expect(second!.value).toEqual([1]);
  });

  it('reports syntax errors with their position, and refuses alias bombs', () => {
    const [bad] = parseYamlDocuments('a: [1, 2\nb: 3\n');
    expect(bad!.errors.length).toBeGreaterThan(0);
    expect(bad!.errors[0]!.position.line).toBeGreaterThan(0);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${'b'.repeat(i + 1)}: &${'b'.repeat(i + 1)} [${Array(10)
          .fill(i === 0 ? '*a' : `*${'b'.repeat(i)}`)
          .join(', ')}]`,
      );
    const [doc] = parseYamlDocuments(bomb.join('\n'));
    expect(doc!.value).toBeUndefined();
    expect(doc!.errors[0]!.message).toMatch(/alias/i);
  });
});
