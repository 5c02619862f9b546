// The template checks admission may have in the RenderHost at once. The host's processes render
// the nodes too, and a check the review stopped waiting for still runs there until it finishes or
// its process is killed: so a slot is held until the check itself settles, not until the review
// gives up. A client sending forms whose templates burn their whole render budget, as fast as it
// likes, then costs the operator `size` render processes' time at most, never a queue.

/** The check could not run, or not finish, in the review's time; the message says which. */
export class TemplateCheckUnavailableError extends Error {
  override readonly name = 'TemplateCheckUnavailableError';
}

export interface TemplateCheckSlotsOptions {
  /** Checks running at once. Default 2. */
  size?: number;
  /** Reviews waiting for a slot; more are refused at once. Default 32. */
  maxWaiting?: number;
}

interface Waiter {
  start: () => void;
}

export class TemplateCheckSlots {
  readonly size: number;
  readonly maxWaiting: number;
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(options: TemplateCheckSlotsOptions = {}) {
    this.size = options.size ?? 2;
    this.maxWaiting = options.maxWaiting ?? 32;
    if (!Number.isInteger(this.size) || this.size < 1)
      throw new RangeError(`size must be an integer >= 1, got ${this.size}`);
    if (!Number.isInteger(this.maxWaiting) || this.maxWaiting < 0)
      throw new RangeError(`maxWaiting must be an integer >= 0, got ${this.maxWaiting}`);
  }

  /** Checks running now (those whose review gave up included). */
  get inUse(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * `check()`'s result, if a slot frees up and the check finishes within `budgetMs` in all;
   * else a TemplateCheckUnavailableError saying why. A check's own rejection passes through.
   */
  run<T>(check: () => T | Promise<T>, budgetMs: number): Promise<T> {
    const deadline = performance.now() + budgetMs;
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        const remaining = Math.max(0, deadline - performance.now());
        const timer = setTimeout(
          () =>
            reject(
              new TemplateCheckUnavailableError(
                `it did not finish within ${budgetMs} ms (render processes busy)`,
              ),
            ),
          remaining,
        );
        Promise.resolve()
          .then(check)
          .then(resolve, reject)
          .finally(() => {
            clearTimeout(timer);
            this.running--;
            this.waiting.shift()?.start();
          });
      };
      if (this.running < this.size) return start();
      if (this.waiting.length >= this.maxWaiting)
        return reject(
          new TemplateCheckUnavailableError(
            `the operator is busy: ${this.running} template checks are running and ${this.waiting.length} waiting; retry`,
          ),
        );
      const waiter: Waiter = {
        start: () => {
          clearTimeout(timer);
          start();
        },
      };
      const timer = setTimeout(
        () => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(
            new TemplateCheckUnavailableError(
              `it could not start within ${budgetMs} ms: ${this.size} template checks were running (render processes busy)`,
            ),
          );
        },
        Math.max(0, budgetMs),
      );
      this.waiting.push(waiter);
    });
  }
}
