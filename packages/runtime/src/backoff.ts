import { InvalidOptionError } from './errors.js';

export interface BackoffOptions {
  /** First delay in ms (default 500). */
  initialMs?: number;
  /** Largest delay in ms (default 30,000). */
  maxMs?: number;
  /** Each delay is drawn from [d·(1−jitter), d] (default 0.5), so restarting clients spread out. */
  jitter?: number;
  /** Source of randomness in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

/** Exponential backoff with jitter, for restarting list/watch and other retried calls. */
export class Backoff {
  private attempt = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initial = options.initialMs ?? 500;
    this.max = options.maxMs ?? 30_000;
    this.jitter = options.jitter ?? 0.5;
    this.random = options.random ?? Math.random;
    if (!(this.initial > 0))
      throw new InvalidOptionError('backoff.initialMs', `must be > 0, got ${this.initial}`);
    if (!(this.max >= this.initial)) {
      throw new InvalidOptionError('backoff.maxMs', `must be >= initialMs, got ${this.max}`);
    }
    if (!(this.jitter >= 0 && this.jitter <= 1)) {
      throw new InvalidOptionError('backoff.jitter', `must be within [0, 1], got ${this.jitter}`);
    }
  }

  /** The next delay in ms; each call doubles the base until it reaches the maximum. */
  next(): number {
    const base = Math.min(this.max, this.initial * 2 ** this.attempt);
    if (base < this.max) this.attempt++;
    return base * (1 - this.jitter * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}
