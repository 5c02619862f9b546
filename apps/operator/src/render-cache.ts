// Renders are pure in (form, syntax, namespace, variables): a node re-reconciled because its
// Deployment became Available, or a hub re-synced with the same rows, reuses the last result
// instead of a round trip to a render process (Lynq keeps a render cache too, reference §10).
import { createHash } from 'node:crypto';
import type { RenderHost, RenderOutcome } from '@lynq/render/host';

type RenderNodes = RenderHost['renderNodes'];
type Source = Parameters<RenderNodes>[0];
type Nodes = Parameters<RenderNodes>[1];
type Options = NonNullable<Parameters<RenderNodes>[2]>;

export interface RenderCacheOptions {
  /** Results kept at most. */
  maxEntries: number;
  /** Their total size, estimated as JSON characters. */
  maxChars: number;
}

export interface RenderCacheStats {
  hits: number;
  misses: number;
  entries: number;
  chars: number;
}

/**
 * Sized for the nodes being provisioned now: a node's full render (about 10 KB of JSON for five
 * resources) that falls out is rendered again on its next change. Objects take about three times
 * their JSON size in the heap. (The operator keeps hub renders, about 1 KB a row, in a cache of
 * their own.)
 */
const DEFAULTS: RenderCacheOptions = { maxEntries: 20_000, maxChars: 8 * 1024 * 1024 };

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Cached results are shared between callers: freezing makes a caller's mutation an error, not a leak. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class RenderCache {
  private readonly entries = new Map<string, { outcome: RenderOutcome; chars: number }>();
  private chars = 0;
  private hits = 0;
  private misses = 0;
  private readonly options: RenderCacheOptions;

  constructor(
    private readonly host: { renderNodes: RenderNodes },
    options: Partial<RenderCacheOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * `RenderHost.renderNodes`, answering from the cache what it rendered before. Only successful
   * renders are kept (a timeout may pass); a render pinned to a clock is never cached.
   */
  async renderNodes(source: Source, nodes: Nodes, options: Options = {}): Promise<RenderOutcome[]> {
    if (options.clock !== undefined) return this.host.renderNodes(source, nodes, options);
    const form = digest(JSON.stringify([source, options.syntax ?? null]));
    const keys = nodes.map((n) => digest(JSON.stringify([form, n.namespace, n.variables])));
    const outcomes: (RenderOutcome | undefined)[] = keys.map((k) => this.lookup(k));
    const missing = outcomes.flatMap((o, i) => (o === undefined ? [i] : []));
    this.hits += nodes.length - missing.length;
    this.misses += missing.length;
    if (missing.length > 0) {
      const fresh = await this.host.renderNodes(
        source,
        missing.map((i) => nodes[i]!),
        options,
      );
      missing.forEach((index, j) => {
        const outcome = fresh[j]!;
        outcomes[index] = outcome;
        if (outcome.ok) this.store(keys[index]!, outcome);
      });
    }
    return outcomes as RenderOutcome[];
  }

  stats(): RenderCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, chars: this.chars };
  }

  private lookup(key: string): RenderOutcome | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key); // most recently used goes last
    this.entries.set(key, entry);
    return entry.outcome;
  }

  private store(key: string, outcome: RenderOutcome): void {
    const chars = JSON.stringify(outcome).length;
    if (chars > this.options.maxChars / 8) return; // one huge render must not evict everything
    const previous = this.entries.get(key); // two reconciles rendered the same node at once
    if (previous !== undefined) {
      this.entries.delete(key);
      this.chars -= previous.chars;
    }
    this.entries.set(key, { outcome: deepFreeze(outcome), chars });
    this.chars += chars;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.chars <= this.options.maxChars)
        break;
      this.entries.delete(oldest);
      this.chars -= entry.chars;
    }
  }
}
