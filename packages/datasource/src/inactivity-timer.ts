import { DatasourceError } from './errors.js';

/**
 * Fires `onExpire` once when `touch()` has not been called for `ms` milliseconds: the query
 * timeout as the drivers apply it (time without progress, reset on each row). `touch()` only
 * stores the time, so calling it for every row of a large result costs next to nothing.
 */
export class InactivityTimer {
  private last = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  private fired = false;

  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.arm(ms);
  }

  /** Progress: the time without progress starts again from now. */
  touch(): void {
    this.last = performance.now();
  }

  /** Whether `onExpire` ran. */
  get expired(): boolean {
    return this.fired;
  }

  /** Stops the timer (the operation ended); idempotent. */
  stop(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.done) return;
      const idle = performance.now() - this.last;
      if (idle < this.ms) {
        this.arm(this.ms - idle);
        return;
      }
      this.done = true;
      this.fired = true;
      this.onExpire();
    }, delay);
    // A pending fetch keeps the process alive by itself; the timer need not.
    this.timer.unref();
  }
}

/**
 * The TIMEOUT a driver reports when a fetch made no progress for `queryTimeoutMs`:
 * `reading public.tenants timed out: no row received for 500 ms (queryTimeoutMs)`.
 */
export function queryTimeoutError(init: {
  hub?: string;
  type?: string;
  /** The table as the hub names it, e.g. `public.tenants`. */
  table: string;
  queryTimeoutMs: number;
  driverCode?: string;
  cause?: unknown;
}): DatasourceError {
  const { table, queryTimeoutMs, ...rest } = init;
  return new DatasourceError({
    code: 'TIMEOUT',
    message: `reading ${table} timed out: no row received for ${queryTimeoutMs} ms (queryTimeoutMs)`,
    ...rest,
  });
}
