import { DelayingQueue } from './delaying-queue.js';
import type { WorkQueueOptions } from './queue.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface RateLimitingQueueOptions extends WorkQueueOptions {
  /** Default: defaultControllerRateLimiter() on the queue's clock. */
  rateLimiter?: RateLimiter;
}

/** A DelayingQueue whose retries wait as long as a RateLimiter says. */
export class RateLimitingQueue extends DelayingQueue {
  readonly rateLimiter: RateLimiter;

  constructor(options: RateLimitingQueueOptions = {}) {
    super(options);
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter({ clock: this.clock });
  }

  /** Adds `key` once the rate limiter allows it; counts as a retry. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics.retried();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets the backoff of `key` (call after it was processed successfully). */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }
}
