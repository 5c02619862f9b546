import { describe, expect, it } from 'vitest';
import { RecentCreates } from './recent-creates.js';

const node = (name: string) => ({ metadata: { name } });

describe('RecentCreates', () => {
  it('adds created nodes the cache has not seen, until it sees them', () => {
    const recent = new RecentCreates();
    recent.created('ns/hub', node('a'));
    recent.created('ns/hub', node('b'));
    const cached = new Set(['a']);
    const merged = recent.withUnseen('ns/hub', [node('a')], (n) => cached.has(n));
    expect(merged.map((n) => n.metadata.name)).toEqual(['a', 'b']);
    cached.add('b');
    expect(recent.withUnseen('ns/hub', [], (n) => cached.has(n))).toEqual([]);
    // Seen once, the entry is gone: a node deleted later is not brought back.
    cached.clear();
    expect(recent.withUnseen('ns/hub', [], (n) => cached.has(n))).toEqual([]);
  });

  it('trusts the cache again after the TTL, and keeps hubs apart', () => {
    let now = 0;
    const recent = new RecentCreates(10_000, () => now);
    recent.created('ns/one', node('a'));
    expect(recent.withUnseen('ns/two', [], () => false)).toEqual([]);
    now = 9_999;
    expect(recent.withUnseen('ns/one', [], () => false)).toHaveLength(1);
    now = 10_001;
    expect(recent.withUnseen('ns/one', [], () => false)).toEqual([]);
  });

  it('forgets a hub', () => {
    const recent = new RecentCreates();
    recent.created('ns/hub', node('a'));
    recent.forget('ns/hub');
    expect(recent.withUnseen('ns/hub', [], () => false)).toEqual([]);
  });
});

describe('RecentCreates.gone', () => {
  it('drops a node deleted before the cache showed it, in its namespace only', () => {
    const recent = new RecentCreates();
    recent.created('ns/hub', node('a'));
    recent.created('other/hub', node('a'));
    recent.gone('ns', 'a');
    expect(recent.withUnseen('ns/hub', [], () => false)).toEqual([]);
    expect(recent.withUnseen('other/hub', [], () => false)).toHaveLength(1);
  });
});
