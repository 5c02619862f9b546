import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { InvalidOptionError } from './errors.js';
import { ExpiringLru } from './expiring-lru.js';

describe('ExpiringLru', () => {
  it('forgets an entry once its TTL has passed', () => {
    const clock = new FakeClock();
    const cache = new ExpiringLru<string>(10, clock);
    cache.set('a', 'A', 1000);
    clock.advance(999);
    expect(cache.get('a')).toBe('A');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry past its bound; reading counts as use', () => {
    const clock = new FakeClock();
    const cache = new ExpiringLru<number>(2, clock);
    cache.set('a', 1, 60_000);
    cache.set('b', 2, 60_000);
    expect(cache.get('a')).toBe(1); // b is now the least recent
    cache.set('c', 3, 60_000);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('gives each entry its own TTL, replaces on set, and stores nothing for a TTL of 0', () => {
    const clock = new FakeClock();
    const cache = new ExpiringLru<string>(10, clock);
    cache.set('short', 's', 100);
    cache.set('long', 'l', 10_000);
    cache.set('none', 'n', 0);
    expect(cache.get('none')).toBeUndefined();
    clock.advance(100);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toBe('l');
    cache.set('long', 'L', 50);
    clock.advance(50);
    expect(cache.get('long')).toBeUndefined();
    cache.set('x', 'x', 1000);
    cache.delete('x');
    expect(cache.get('x')).toBeUndefined();
  });

  it('never holds more than its bound, however many keys are set', () => {
    const cache = new ExpiringLru<number>(64, new FakeClock());
    for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, i, 60_000);
    expect(cache.size).toBe(64);
    expect(cache.get('k9999')).toBe(9999);
    expect(cache.get('k9935')).toBeUndefined();
  });

  it('refuses a bound below 1', () => {
    expect(() => new ExpiringLru(0)).toThrow(InvalidOptionError);
  });
});
