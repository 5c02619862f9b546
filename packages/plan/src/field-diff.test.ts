import { describe, expect, it } from 'vitest';
import { fieldDiff } from './field-diff.js';

describe('fieldDiff', () => {
  it('lists leaf changes by path, in order', () => {
    expect(
      fieldDiff(
        { spec: { replicas: 2, template: { containers: [{ image: 'a' }, { image: 'b' }] } }, z: 1 },
        {
          metadata: { labels: { 'app.kubernetes.io/name': 'x' } },
          spec: { replicas: 3, template: { containers: [{ image: 'a2' }] } },
        },
      ),
    ).toEqual([
      { op: 'add', path: 'metadata', after: { labels: { 'app.kubernetes.io/name': 'x' } } },
      { op: 'change', path: 'spec.replicas', before: 2, after: 3 },
      { op: 'change', path: 'spec.template.containers[0].image', before: 'a', after: 'a2' },
      { op: 'remove', path: 'spec.template.containers[1]', before: { image: 'b' } },
      { op: 'remove', path: 'z', before: 1 },
    ]);
  });

  it('quotes keys that are not identifiers and finds nothing in equal objects', () => {
    expect(fieldDiff({ a: { 'x.y': 1 } }, { a: { 'x.y': '1' } })).toEqual([
      { op: 'change', path: "a['x.y']", before: 1, after: '1' },
    ]);
    expect(fieldDiff({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toEqual([]);
  });

  it('treats a type change as one change, and walks deep objects without recursion', () => {
    expect(fieldDiff({ a: [1] }, { a: { 0: 1 } })).toEqual([
      { op: 'change', path: 'a', before: [1], after: { 0: 1 } },
    ]);
    let a: Record<string, unknown> = { v: 1 };
    let b: Record<string, unknown> = { v: 2 };
    for (let i = 0; i < 20_000; i++) {
      a = { n: a };
      b = { n: b };
    }
    const d = fieldDiff(a, b);
    expect(d).toHaveLength(1);
    expect(d[0]!.path.endsWith('n.v')).toBe(true);
  });
});
