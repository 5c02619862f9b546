import { describe, expect, it } from 'vitest';
import { isContainedIn } from './containment.js';
import { cursorForKind } from './list-types.js';

describe('isContainedIn', () => {
  it('accepts extra live fields (server defaults, other managers)', () => {
    expect(
      isContainedIn({ data: { a: '1' } }, { data: { a: '1', b: '2' }, metadata: { uid: 'u' } }),
    ).toBe(true);
  });

  it('detects a changed or missing value', () => {
    expect(isContainedIn({ data: { a: '1' } }, { data: { a: '2' } })).toBe(false);
    expect(isContainedIn({ data: { a: '1' } }, { data: {} })).toBe(false);
    expect(isContainedIn({ spec: { replicas: 2 } }, { spec: { replicas: '2' } })).toBe(false);
  });

  it('lets zero values match an absent live field (the server omits empty fields)', () => {
    expect(
      isContainedIn(
        { spec: { hostNetwork: false, args: [], sel: {}, s: '', n: 0, x: null } },
        { spec: {} },
      ),
    ).toBe(true);
    expect(isContainedIn({ spec: { hostNetwork: false } }, { spec: { hostNetwork: true } })).toBe(
      false,
    );
  });

  // A small OpenAPI v3 document in the shape the API server publishes (refs wrapped in allOf).
  const doc = {
    components: {
      schemas: {
        'test.v1.Widget': {
          'x-kubernetes-group-version-kind': [{ group: 'test', version: 'v1', kind: 'Widget' }],
          properties: {
            ports: {
              items: { allOf: [{ $ref: '#/components/schemas/test.v1.Port' }] },
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['port', 'protocol'],
            },
            args: { items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' },
            finalizers: { items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
            plain: { items: { type: 'string' } },
          },
        },
        'test.v1.Port': { properties: { port: {}, protocol: {}, name: {} } },
      },
    },
  };
  const widget = cursorForKind(doc, 'test', 'v1', 'Widget');

  it('finds a kind in an OpenAPI document and reads its list types', () => {
    expect(widget).toBeDefined();
    expect(widget?.field('ports')?.listType()).toEqual({ type: 'map', keys: ['port', 'protocol'] });
    expect(widget?.field('args')?.listType()).toEqual({ type: 'atomic' });
    expect(widget?.field('finalizers')?.listType()).toEqual({ type: 'set' });
    expect(widget?.field('plain')?.listType()).toBeUndefined();
    expect(cursorForKind(doc, 'test', 'v1', 'Gadget')).toBeUndefined();
  });

  it("matches map-list entries by key, wherever they sit, and tolerates other managers' entries", () => {
    const live = {
      ports: [
        { name: 'extra', port: 9, protocol: 'TCP' },
        { name: 'http', port: 80, protocol: 'TCP' },
      ],
    };
    expect(isContainedIn({ ports: [{ name: 'http', port: 80 }] }, live, widget)).toBe(true);
    expect(isContainedIn({ ports: [{ port: 9, protocol: 'TCP' }] }, live, widget)).toBe(true);
    expect(isContainedIn({ ports: [{ name: 'http', port: 81 }] }, live, widget)).toBe(false);
    expect(isContainedIn({ ports: [{ name: 'web', port: 80 }] }, live, widget)).toBe(false);
    expect(isContainedIn({ ports: [{ port: 80, protocol: 'UDP' }] }, live, widget)).toBe(false);
    expect(isContainedIn({ ports: [{ name: 'http', port: 80 }] }, { ports: {} }, widget)).toBe(
      false,
    );
  });

  it('treats atomic lists, and lists the schema says nothing of, as ordered', () => {
    for (const field of ['args', 'plain']) {
      const live = { [field]: ['--a', '--b'] };
      expect(isContainedIn({ [field]: ['--a', '--b'] }, live, widget)).toBe(true);
      expect(isContainedIn({ [field]: ['--b', '--a'] }, live, widget)).toBe(false);
      expect(isContainedIn({ [field]: ['--a'] }, live, widget)).toBe(false);
      // A duplicate entry removed from live is drift.
      expect(isContainedIn({ [field]: ['--a', '--a'] }, { [field]: ['--a'] }, widget)).toBe(false);
    }
    // Without any schema, the same.
    expect(isContainedIn({ args: ['x', 'y'] }, { args: ['y', 'x'] })).toBe(false);
    expect(
      isContainedIn(
        { ports: [{ name: 'http', port: 80 }] },
        { ports: [{ name: 'a' }, { name: 'http', port: 80 }] },
      ),
    ).toBe(false);
  });

  it('needs each set value somewhere in live', () => {
    const live = { finalizers: ['b', 'other', 'a'] };
    expect(isContainedIn({ finalizers: ['a', 'b'] }, live, widget)).toBe(true);
    expect(isContainedIn({ finalizers: ['a', 'c'] }, live, widget)).toBe(false);
  });

  it('compares null and scalars strictly', () => {
    expect(isContainedIn(null, null)).toBe(true);
    expect(isContainedIn(null, 'x')).toBe(false);
    expect(isContainedIn('a', 'a')).toBe(true);
    expect(isContainedIn({ a: { b: 1 } }, { a: 'x' })).toBe(false);
  });
});
