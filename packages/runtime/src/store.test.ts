import { describe, expect, it } from 'vitest';
import { formatLabelSelector, matchesLabelSelector } from './label-selector.js';
import type { KubeObject } from './resource.js';
import { NAMESPACE_INDEX, Store, labelIndex } from './store.js';

const cm = (
  ns: string,
  name: string,
  labels: Record<string, string> = {},
  rv = '1',
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: ns, name, labels, resourceVersion: rv },
});

describe('Store', () => {
  it('gets, lists by namespace and by label selector', () => {
    const s = new Store();
    s.upsert(cm('a', 'one', { app: 'web' }));
    s.upsert(cm('a', 'two', { app: 'db' }));
    s.upsert(cm('b', 'one', { app: 'web', tier: 'x' }));
    expect(s.get('one', 'a')?.metadata.labels).toEqual({ app: 'web' });
    expect(s.getByKey('b/one')).toBeDefined();
    expect(
      s
        .list({ namespace: 'a' })
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['one', 'two']);
    expect(s.list({ labelSelector: { matchLabels: { app: 'web' } } })).toHaveLength(2);
    expect(
      s.list({
        namespace: 'b',
        labelSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      }),
    ).toHaveLength(1);
    expect(s.indexValues(NAMESPACE_INDEX).sort()).toEqual(['a', 'b']);
  });

  it('keeps custom indexes right through updates and deletes', () => {
    const s = new Store({ byApp: labelIndex('app') });
    s.upsert(cm('a', 'one', { app: 'web' }));
    s.upsert(cm('a', 'two', { app: 'web' }));
    expect(s.byIndex('byApp', 'web')).toHaveLength(2);
    const old = s.upsert(cm('a', 'one', { app: 'db' }, '2'));
    expect(old?.metadata.labels?.['app']).toBe('web');
    expect(s.byIndex('byApp', 'web').map((o) => o.metadata.name)).toEqual(['two']);
    expect(s.byIndex('byApp', 'db').map((o) => o.metadata.name)).toEqual(['one']);
    s.delete('a/two');
    expect(s.byIndex('byApp', 'web')).toEqual([]);
    expect(s.indexValues('byApp')).toEqual(['db']);
    expect(s.byIndex(NAMESPACE_INDEX, 'a')).toHaveLength(1);
  });

  it('indexes objects already cached when an index is added later, and rejects unknown indexes', () => {
    const s = new Store();
    s.upsert(cm('a', 'one', { owner: 'x' }));
    s.addIndex('owner', labelIndex('owner'));
    expect(s.byIndex('owner', 'x')).toHaveLength(1);
    expect(() => s.byIndex('nope', 'x')).toThrow(/no index named nope/);
    expect(() => s.addIndex('owner', labelIndex('owner'))).toThrow(/already exists/);
  });
});

describe('label selectors', () => {
  it('matches every operator', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(matchesLabelSelector({}, labels)).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { app: 'db' } }, labels)).toBe(false);
    const ex = (
      operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist',
      key: string,
      values?: string[],
    ) => matchesLabelSelector({ matchExpressions: [{ key, operator, values }] }, labels);
    expect(ex('In', 'tier', ['front', 'back'])).toBe(true);
    expect(ex('In', 'tier', ['back'])).toBe(false);
    expect(ex('NotIn', 'tier', ['back'])).toBe(true);
    expect(ex('NotIn', 'tier', ['front'])).toBe(false);
    expect(ex('NotIn', 'missing', ['x'])).toBe(true);
    expect(ex('Exists', 'app')).toBe(true);
    expect(ex('DoesNotExist', 'app')).toBe(false);
  });

  it('formats the query syntax', () => {
    expect(
      formatLabelSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'x', operator: 'NotIn', values: ['c'] },
          { key: 'y', operator: 'Exists' },
          { key: 'z', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,tier in (a,b),x notin (c),y,!z');
  });
});
