import { describe, expect, it } from 'vitest';
import { jsonPatch, pointerSegment, type JsonPatchOp } from './json-patch.js';

/** Applies ops as the API server does (enough of RFC 6902 for these tests). */
function apply(doc: unknown, ops: readonly JsonPatchOp[]): unknown {
  let root = structuredClone(doc);
  for (const op of ops) {
    if (op.path === '') {
      root = op.op === 'remove' ? undefined : structuredClone(op.value);
      continue;
    }
    const parts = op.path
      .slice(1)
      .split('/')
      .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = parts.pop()!;
    let at = root as Record<string, unknown>;
    for (const p of parts) at = at[p] as Record<string, unknown>;
    if (op.op === 'remove') delete at[last];
    else at[last] = structuredClone(op.value);
  }
  return root;
}

describe('jsonPatch', () => {
  it('is empty for equal documents', () => {
    expect(jsonPatch({ a: [1, { b: 'c' }] }, { a: [1, { b: 'c' }] })).toEqual([]);
  });

  it('adds missing fields inside list items, escaping keys', () => {
    const from = { spec: { list: [{ id: 'a' }, { id: 'b', x: 1 }] }, 'k/~': 1 };
    const to = {
      spec: {
        list: [
          { id: 'a', p: 'D' },
          { id: 'b', x: 2 },
        ],
      },
      'k/~': 1,
      new: { n: 1 },
    };
    const ops = jsonPatch(from, to);
    expect(ops).toEqual([
      { op: 'add', path: '/spec/list/0/p', value: 'D' },
      { op: 'replace', path: '/spec/list/1/x', value: 2 },
      { op: 'add', path: '/new', value: { n: 1 } },
    ]);
    expect(apply(from, ops)).toEqual(to);
  });

  it('removes keys and replaces lists whose length changed and values that changed type', () => {
    const from = { a: 1, b: [1, 2], c: { d: 1 }, e: [1] };
    const to = { b: [1], c: [1], e: { x: 1 } };
    const ops = jsonPatch(from, to);
    expect(ops).toContainEqual({ op: 'remove', path: '/a' });
    expect(apply(from, ops)).toEqual(to);
  });

  it('escapes ~ and / in pointer segments', () => {
    expect(pointerSegment('lynq.sh/a~b')).toBe('lynq.sh~1a~0b');
  });
});
