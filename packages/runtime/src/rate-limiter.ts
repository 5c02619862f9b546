import { realClock, type Clock } from './clock.js';
import { InvalidOptionError } from './errors.js';

/** Decides how long a key waits before it is retried. */
export interface RateLimiter {
  /** Delay in milliseconds before `key` may be processed again; counts as one failure. */
  when(key: string): number;
  /** Clears the failure history of `key` (after a success). */
  forget(key: string): void;
  /** Failures recorded for `key` since the last `forget`. */
  numRequeues(key: string): number;
}

export interface ExponentialBackoffOptions {
  /** First delay in ms (default 5). */
  baseDelayMs?: number;
  /** Largest delay in ms (default 1,000,000 = 1,000 s). */
  maxDelayMs?: number;
}

/** Per-key exponential backoff: base·2^failures, capped at max (client-go's ItemExponentialFailureRateLimiter). */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly base: number;
  private readonly max: number;

  constructor(options: ExponentialBackoffOptions = {}) {
    this.base = options.baseDelayMs ?? 5;
    this.max = options.maxDelayMs ?? 1_000_000;
    if (!(this.base > 0))
      throw new InvalidOptionError('baseDelayMs', `must be > 0, got ${this.base}`);
    if (!(this.max >= this.base)) {
      throw new InvalidOptionError('maxDelayMs', `must be >= baseDelayMs, got ${this.max}`);
    }
  }

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long before n matters; Math.min keeps it at max.
    return Math.min(this.base * 2 ** n, this.max);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface TokenBucketOptions {
  /** Sustained rate in tokens per second (default 10). */
  qps?: number;
  /** Bucket size: how many may pass at once (default 100). */
  burst?: number;
  clock?: Clock;
}

/**
 * A token bucket shared by all keys (client-go's BucketRateLimiter over x/time/rate): each call
 * reserves a token and returns how long to wait until that token exists.
 */
export class TokenBucketRateLimiter implements RateLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(options: TokenBucketOptions = {}) {
    this.qps = options.qps ?? 10;
    this.burst = options.burst ?? 100;
    this.clock = options.clock ?? realClock;
    if (!(this.qps > 0)) throw new InvalidOptionError('qps', `must be > 0, got ${this.qps}`);
    if (!(this.burst >= 1))
      throw new InvalidOptionError('burst', `must be >= 1, got ${this.burst}`);
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  when(_key: string): number {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
    }
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    if (limiters.length === 0) throw new InvalidOptionError('limiters', 'at least one is needed');
    this.limiters = limiters;
  }

  when(key: string): number {
    let delay = 0;
    for (const l of this.limiters) delay = Math.max(delay, l.when(key));
    return delay;
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.numRequeues(key));
    return n;
  }
}

export interface ControllerRateLimiterOptions
  extends ExponentialBackoffOptions, TokenBucketOptions {}

/**
 * The default for controllers: per-key backoff 5 ms → 1,000 s combined with a 10 qps / burst 100
 * bucket over all keys (client-go's DefaultControllerRateLimiter); every figure can be changed.
 */
export function defaultControllerRateLimiter(
  options: ControllerRateLimiterOptions = {},
): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialRateLimiter(options),
    new TokenBucketRateLimiter(options),
  );
}
