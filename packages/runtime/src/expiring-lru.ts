import { realClock, type Clock } from './clock.js';
import { InvalidOptionError } from './errors.js';

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A map of at most `maxEntries` values, each valid for the TTL it was set with (apimachinery's
 * LRUExpireCache): reading a live entry makes it the most recently used, setting past the bound
 * evicts the least recently used, and an expired entry is dropped when it is next read.
 */
export class ExpiringLru<V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    readonly maxEntries: number,
    private readonly clock: Clock = realClock,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new InvalidOptionError('maxEntries', `must be an integer >= 1, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live value of `key`, else undefined (an expired entry is removed). */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for `ttlMs` (nothing when ttlMs <= 0), evicting the least recently used. */
  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    if (!(ttlMs > 0)) return;
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
