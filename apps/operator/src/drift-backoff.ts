// Another field manager that changes an object back each time the operator repairs it (a second
// controller, a mutating webhook, a script in a loop) would make conflictPolicy Force a hot loop:
// the change wakes the node, the node forces its value, the other side reacts, and so on at the
// speed of a watch round trip (measured: 200 writes a minute on a loaded 2-core machine, more on
// an idle one). A repair is a write whose desired content had not changed (the live object still
// carried the same applied-hash); consecutive repairs of one object are spaced out with growing
// delays, and a repair that stays put for a while resets the streak. A change of the node or its
// form (new desired content) is applied at once, whatever the streak.

export interface DriftBackoffOptions {
  /** Wait before the second consecutive repair; doubled for each one after. */
  baseMs: number;
  /** Longest wait between repairs. */
  maxMs: number;
  /** A streak ends when no repair was needed for this long after the last one. */
  quietMs: number;
}

const DEFAULTS: DriftBackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000, quietMs: 10 * 60_000 };

interface Streak {
  /** What the desired content was derived from (node and form generations). */
  version: string;
  repairs: number;
  lastAt: number;
}

export class DriftBackoff {
  private readonly streaks = new Map<string, Streak>();
  private readonly options: DriftBackoffOptions;

  constructor(
    options: Partial<DriftBackoffOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * How long the repair of `key` must still wait (0: apply now). Only a streak of repairs of the
   * same desired content (`version`) holds an apply back.
   */
  holdMs(key: string, version: string): number {
    const streak = this.current(key);
    if (streak === undefined || streak.version !== version) return 0;
    const wait = Math.min(this.options.baseMs * 2 ** (streak.repairs - 1), this.options.maxMs);
    return Math.max(0, streak.lastAt + wait - this.now());
  }

  /** Streak length of `key` (for events and tests). */
  repairs(key: string): number {
    return this.current(key)?.repairs ?? 0;
  }

  /**
   * After an apply of `key`: `repaired` when it wrote although its desired content was the same
   * as what the live object had been given (someone changed it); otherwise the streak ends.
   */
  applied(key: string, version: string, repaired: boolean): void {
    if (!repaired) {
      this.streaks.delete(key);
      return;
    }
    const streak = this.current(key);
    const repairs = streak !== undefined && streak.version === version ? streak.repairs + 1 : 1;
    this.streaks.set(key, { version, repairs, lastAt: this.now() });
  }

  private current(key: string): Streak | undefined {
    const streak = this.streaks.get(key);
    if (streak !== undefined && this.now() - streak.lastAt > this.options.quietMs) {
      this.streaks.delete(key);
      return undefined;
    }
    return streak;
  }

  /** Objects with a streak (memory held). */
  get size(): number {
    return this.streaks.size;
  }
}
