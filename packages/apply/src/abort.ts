// Cancellation: every operation of this package takes the caller's AbortSignal (the operator
// aborts a reconcile's signal when it loses its lease, so writes must stop at once).
import { AbortedError } from './errors.js';
import type { ObjectRef } from './object-ref.js';

/** Where an abort happened, for the AbortedError's message. */
export interface AbortSite {
  method?: string | undefined;
  path?: string | undefined;
  object?: ObjectRef | undefined;
}

/** Throws an AbortedError when the signal has fired: checked before anything is sent. */
export function throwIfAborted(signal: AbortSignal | undefined, site: AbortSite): void {
  if (signal?.aborted === true) throw new AbortedError(signal.reason, site);
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * One fill of a shared cache entry (a discovery document, an OpenAPI document), joined by every
 * caller that asks while it runs. The work runs under its own signal, aborted only once every
 * caller that joined has aborted, so one caller's abort never fails the others; a caller without a
 * signal keeps it running to the end.
 */
export class SharedFill<T> {
  private readonly controller = new AbortController();
  private waiting = 0;
  private unabortable = false;
  private outcome: Outcome<T> | undefined;
  readonly promise: Promise<T>;

  constructor(run: (signal: AbortSignal) => Promise<T>) {
    this.promise = run(this.controller.signal).then(
      (value) => {
        this.outcome = { ok: true, value };
        return value;
      },
      (error: unknown) => {
        this.outcome = { ok: false, error };
        throw error;
      },
    );
    // Callers see the rejection through join(); the fill itself must not be an unhandled one.
    this.promise.catch(() => undefined);
  }

  /**
   * Failed, or being cancelled because every caller gave up: start a new fill instead of joining
   * this one (a failure is not cached).
   */
  get spent(): boolean {
    return this.outcome === undefined ? this.controller.signal.aborted : !this.outcome.ok;
  }

  /** The result, once settled. */
  get settled(): Outcome<T> | undefined {
    return this.outcome;
  }

  /** The fill's result, or an AbortedError as soon as `signal` fires. */
  join(signal: AbortSignal | undefined, site: AbortSite): Promise<T> {
    if (signal === undefined) {
      this.unabortable = true;
      return this.promise;
    }
    if (signal.aborted) return Promise.reject(new AbortedError(signal.reason, site));
    if (this.outcome !== undefined) return this.promise;
    this.waiting++;
    return new Promise<T>((resolve, reject) => {
      let joined = true;
      // Leaves once: on the first of abort and settlement.
      const leave = (): boolean => {
        if (!joined) return false;
        joined = false;
        signal.removeEventListener('abort', onAbort);
        this.waiting--;
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        if (this.waiting === 0 && !this.unabortable && this.outcome === undefined)
          this.controller.abort(signal.reason);
        reject(new AbortedError(signal.reason, site));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.promise.then(
        (value) => {
          if (leave()) resolve(value);
        },
        (error: unknown) => {
          if (leave()) reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}
