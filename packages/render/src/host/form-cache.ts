// The forms a render process has compiled, least recently used first out. The parent keeps a
// mirror of each child's cache (same class, same calls in the same order), so it knows when it
// must send the form again without asking.

/** Bounds of one process's compiled forms: at most this many, of this much form text in total. */
export const FORM_CACHE_LIMITS = Object.freeze({ forms: 64, chars: 16 << 20 });

export class FormCache<V> {
  private readonly map = new Map<string, { value: V; size: number }>();
  private chars = 0;

  constructor(
    private readonly maxForms: number = FORM_CACHE_LIMITS.forms,
    private readonly maxChars: number = FORM_CACHE_LIMITS.chars,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The value for `key`, which then becomes the most recently used. */
  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (hit === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  delete(key: string): void {
    const hit = this.map.get(key);
    if (hit === undefined) return;
    this.chars -= hit.size;
    this.map.delete(key);
  }

  /** Stores `value` of `size` characters; evicts the least recently used until within bounds. */
  set(key: string, value: V, size: number): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.chars -= old.size;
      this.map.delete(key);
    }
    this.map.set(key, { value, size });
    this.chars += size;
    for (const [k, v] of this.map) {
      if (this.map.size <= 1 || (this.map.size <= this.maxForms && this.chars <= this.maxChars))
        break;
      this.map.delete(k);
      this.chars -= v.size;
    }
  }
}
