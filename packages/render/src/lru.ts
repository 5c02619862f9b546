/**
 * A least-recently-used map bounded in entries and in an estimated weight (bytes): compiled
 * templates are kept for reuse, never for ever, and a few huge ones cannot crowd the heap.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;
  constructor(
    private readonly capacity: number,
    /** Total weight kept; an entry heavier than this on its own is not kept at all. */
    private readonly maxWeight = Infinity,
  ) {}

  /** Entries held. */
  get size(): number {
    return this.map.size;
  }

  /** Sum of the weights of the entries held. */
  get weight(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e !== undefined) {
      // Re-insert to mark as most recently used.
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e?.value;
  }

  set(key: K, value: V, weight = 0): void {
    this.delete(key);
    if (weight > this.maxWeight) return;
    this.map.set(key, { value, weight });
    this.total += weight;
    while (this.map.size > this.capacity || this.total > this.maxWeight)
      this.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    const e = this.map.get(key);
    if (e === undefined) return;
    this.map.delete(key);
    this.total -= e.weight;
  }
}
