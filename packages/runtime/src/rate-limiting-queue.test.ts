import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { ItemExponentialRateLimiter } from './rate-limiter.js';
import { RateLimitingQueue } from './rate-limiting-queue.js';

describe('RateLimitingQueue', () => {
  it('requeues with growing backoff and resets after forget', () => {
    const clock = new FakeClock();
    let retries = 0;
    const q = new RateLimitingQueue({
      clock,
      rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 5 }),
      metrics: { added() {}, depth() {}, queued() {}, worked() {}, retried: () => void retries++ },
    });
    const failOnce = (expectedDelay: number) => {
      q.addRateLimited('a');
      clock.advance(expectedDelay - 1);
      expect(q.len()).toBe(0);
      clock.advance(1);
      expect(q.len()).toBe(1);
      q.done(q.tryGet() as string);
    };
    failOnce(5);
    failOnce(10);
    failOnce(20);
    failOnce(40);
    expect(q.numRequeues('a')).toBe(4);
    expect(retries).toBe(4);
    q.forget('a');
    failOnce(5);
  });

  it('applies the default global bucket: 100 at once, then 10 per second', () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    for (let i = 0; i < 150; i++) q.addRateLimited(`k${i}`);
    clock.advance(5); // per-item backoff of the first failure
    expect(q.len()).toBe(100);
    clock.advance(1000);
    expect(q.len()).toBe(110);
    clock.advance(4000);
    expect(q.len()).toBe(150);
  });

  it('ignores rate-limited adds after shutdown', () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    q.shutDown();
    q.addRateLimited('a');
    clock.advance(1000);
    expect(q.len()).toBe(0);
  });
});
