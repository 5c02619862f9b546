import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';

export interface WaitForOptions {
  /** What is awaited, for the timeout message: "node acme-web Ready". */
  what: string;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Pause between two probes. Default 250 ms. */
  intervalMs?: number;
  /**
   * Checked before every probe: a string ends the wait at once with that reason (e.g. "the
   * operator exited with code 1"), instead of polling a condition that can no longer come true.
   */
  failFast?: () => string | undefined;
}

/**
 * `note(state)` records what the probe saw, so that a timeout can say how far things got
 * ("last observed: { ready: 1, desired: 2 }") instead of only that they did not finish.
 */
export type Note = (observed: unknown) => void;

/** A probe answers the awaited value, or undefined/null/false for "not yet". */
export type Probe<T> = (
  note: Note,
) => Promise<T | undefined | null | false> | T | undefined | null | false;

export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly lastObserved: unknown,
    readonly lastError: unknown,
    readonly abortedBecause?: string,
  ) {
    const parts = [
      abortedBecause !== undefined
        ? `gave up waiting for ${what} after ${waitedMs} ms: ${abortedBecause}`
        : `timed out after ${waitedMs} ms waiting for ${what}`,
    ];
    if (lastObserved !== undefined) parts.push(`last observed: ${show(lastObserved)}`);
    if (lastError !== undefined) parts.push(`last probe error: ${errorText(lastError)}`);
    super(parts.join('\n'));
    this.name = 'WaitTimeoutError';
  }
}

export function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: 120, maxStringLength: 2_000 });
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Polls `probe` until it answers a value (anything but undefined, null or false) and returns it.
 * A probe that throws counts as "not yet" (an API server that answered 404 or reset a connection
 * a moment ago may answer next time); its error is shown if the wait times out.
 */
export async function waitFor<T>(probe: Probe<T>, options: WaitForOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 250;
  const started = Date.now();
  let lastObserved: unknown;
  let lastError: unknown;
  const note: Note = (observed) => {
    lastObserved = observed;
  };
  for (;;) {
    const aborted = options.failFast?.();
    if (aborted !== undefined)
      throw new WaitTimeoutError(
        options.what,
        Date.now() - started,
        lastObserved,
        lastError,
        aborted,
      );
    try {
      const value = await probe(note);
      lastError = undefined;
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs)
      throw new WaitTimeoutError(options.what, waited, lastObserved, lastError);
    await delay(Math.min(intervalMs, Math.max(timeoutMs - waited, 1)));
  }
}

export interface HoldsForOptions {
  /** The invariant, for the failure message: "no LynqNode deleted". */
  what: string;
  /** How long the invariant must keep holding. */
  durationMs: number;
  /** Default 250 ms. */
  intervalMs?: number;
  failFast?: () => string | undefined;
}

export class InvariantBrokenError extends Error {
  constructor(
    readonly what: string,
    readonly afterMs: number,
    readonly observed: unknown,
  ) {
    super(`invariant "${what}" broke after ${afterMs} ms; observed: ${show(observed)}`);
    this.name = 'InvariantBrokenError';
  }
}

/**
 * Checks an invariant repeatedly for `durationMs` and fails at the first observation that breaks
 * it. Used where the claim is "nothing happens" (the deletion guard holds, a rollout never has
 * more than maxSkew nodes updating): the checks themselves are the waiting. A probe that throws
 * breaks the invariant too: a claim about the cluster that cannot be checked does not hold.
 */
export async function holdsFor(
  check: (note: Note) => Promise<boolean> | boolean,
  options: HoldsForOptions,
): Promise<void> {
  const intervalMs = options.intervalMs ?? 250;
  const started = Date.now();
  let observed: unknown;
  const note: Note = (value) => {
    observed = value;
  };
  for (;;) {
    const aborted = options.failFast?.();
    if (aborted !== undefined)
      throw new InvariantBrokenError(options.what, Date.now() - started, aborted);
    let ok: boolean;
    try {
      ok = await check(note);
    } catch (err) {
      throw new InvariantBrokenError(options.what, Date.now() - started, errorText(err));
    }
    if (!ok) throw new InvariantBrokenError(options.what, Date.now() - started, observed);
    const elapsed = Date.now() - started;
    if (elapsed >= options.durationMs) return;
    await delay(Math.min(intervalMs, options.durationMs - elapsed));
  }
}
