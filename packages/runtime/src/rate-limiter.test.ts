import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { InvalidOptionError } from './errors.js';
import {
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter.js';

describe('ItemExponentialRateLimiter', () => {
  it('doubles from 5 ms per failure up to 1,000 s, per key', () => {
    const l = new ItemExponentialRateLimiter();
    expect([l.when('a'), l.when('a'), l.when('a'), l.when('a')]).toEqual([5, 10, 20, 40]);
    expect(l.when('b')).toBe(5);
    expect(l.numRequeues('a')).toBe(4);
    for (let i = 0; i < 100; i++) l.when('a');
    expect(l.when('a')).toBe(1_000_000);
  });

  it('starts over after forget', () => {
    const l = new ItemExponentialRateLimiter();
    l.when('a');
    l.when('a');
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
    expect(l.when('a')).toBe(5);
  });

  it('takes other bounds and rejects nonsense', () => {
    const l = new ItemExponentialRateLimiter({ baseDelayMs: 100, maxDelayMs: 300 });
    expect([l.when('a'), l.when('a'), l.when('a')]).toEqual([100, 200, 300]);
    expect(() => new ItemExponentialRateLimiter({ baseDelayMs: 0 })).toThrow(InvalidOptionError);
    expect(() => new ItemExponentialRateLimiter({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(
      /maxDelayMs/,
    );
  });
});

describe('TokenBucketRateLimiter', () => {
  it('lets a burst through, then spaces calls at 1/qps', () => {
    const clock = new FakeClock();
    const l = new TokenBucketRateLimiter({ qps: 10, burst: 100, clock });
    for (let i = 0; i < 100; i++) expect(l.when(`k${i}`)).toBe(0);
    expect(l.when('x')).toBeCloseTo(100);
    expect(l.when('y')).toBeCloseTo(200);
    expect(l.when('z')).toBeCloseTo(300);
  });

  it('refills with time, up to the burst', () => {
    const clock = new FakeClock();
    const l = new TokenBucketRateLimiter({ qps: 2, burst: 3, clock });
    for (let i = 0; i < 3; i++) expect(l.when('k')).toBe(0);
    expect(l.when('k')).toBeCloseTo(500);
    clock.advance(10_000); // pays the reservation back and refills to the cap of 3
    for (let i = 0; i < 3; i++) expect(l.when('k')).toBe(0);
    expect(l.when('k')).toBeGreaterThan(0);
  });
});

describe('MaxOfRateLimiter / defaultControllerRateLimiter', () => {
  it('waits as long as the slowest limiter', () => {
    const clock = new FakeClock();
    const l = new MaxOfRateLimiter(
      new ItemExponentialRateLimiter({ baseDelayMs: 1 }),
      new TokenBucketRateLimiter({ qps: 1, burst: 1, clock }),
    );
    expect(l.when('a')).toBe(0 + 1); // backoff 1 ms, bucket still has its token
    expect(l.when('b')).toBeCloseTo(1000); // bucket empty
    expect(l.numRequeues('a')).toBe(1);
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
  });

  it('defaults to 5 ms per-item backoff and 10 qps / burst 100 overall', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter({ clock });
    expect(l.when('a')).toBe(5);
    expect(l.when('a')).toBe(10);
    for (let i = 0; i < 98; i++) l.when(`k${i}`);
    expect(l.when('late')).toBeCloseTo(100); // 101st call in the same instant: 1/10 s
  });
});
