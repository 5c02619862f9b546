// Sharding, the pure part: which shard an object belongs to, how many shards a replica may hold,
// which to give back and which to try to take. No I/O; ShardElector (shards-elector.ts) acts on it.
/** Metric names of sharding (this replica's view). */
export const ShardMetricNames = {
  /** 1 while this replica holds the shard and works on it, else 0; label `shard`. */
  Owned: 'lynq_shard_owned',
  /** Ownership changes; labels `shard` and `direction` (acquired, released, lost). */
  TransitionsTotal: 'lynq_shard_transitions_total',
} as const;

/**
 * Written on member and shard Leases: the shard count of the writer. Replicas configured with
 * different counts map objects to shards differently, so while any live lease says another count
 * no shard is acquired (they could otherwise both own one object).
 */
export const SHARD_COUNT_ANNOTATION = 'runtime.lynq.sh/shard-count';

export type ShardTransition = 'acquired' | 'released' | 'lost';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. Stable across processes and versions. */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  const byte = (b: number) => {
    h = Math.imul(h ^ b, FNV_PRIME);
  };
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xe000) {
      const low = c < 0xdc00 && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (low >= 0xdc00 && low < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else {
        c = 0xfffd; // a lone surrogate, encoded as TextEncoder does
      }
    }
    if (c < 0x80) byte(c);
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 0x3f));
      byte(0x80 | (c & 0x3f));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 0x3f));
      byte(0x80 | ((c >> 6) & 0x3f));
      byte(0x80 | (c & 0x3f));
    }
  }
  return h >>> 0;
}

/**
 * The shard of an object: FNV-1a 32 of its key (`namespace/name`, or `name` when cluster-scoped)
 * modulo the shard count. Every replica computes the same answer without talking to the others.
 */
export function shardOf(key: string, shards: number): number {
  return fnv1a32(key) % shards;
}

/** The most shards one replica may hold while `replicas` replicas are alive: ⌈shards / replicas⌉. */
export function fairShare(shards: number, replicas: number): number {
  return Math.ceil(shards / Math.max(1, replicas));
}

/** What one replica knows when it decides which shards to take or give back. */
export interface ShardView {
  shards: number;
  /** Live replicas, this one included. */
  liveReplicas: number;
  /** Shards this replica holds and works on. */
  working: ReadonlySet<number>;
  /** Shards this replica still holds but is giving back. */
  releasing: ReadonlySet<number>;
  /** Shards nobody else holds: no lease, released, or expired. */
  free: ReadonlySet<number>;
  /** A live lease was written by a replica with another shard count: take and give nothing. */
  mixedCounts?: boolean;
}

export interface ShardPlan {
  /** Shards to give back (stop their work, then release their leases). */
  release: number[];
  /** How many more shards to take. */
  want: number;
  /** Free shards to try, in order, until `want` of them were taken. */
  candidates: number[];
}

/**
 * Which shards to give back and which to try to take: hold at most the fair share; give back the
 * highest-numbered extras; try free shards in random order, so that replicas racing for the same
 * free shards mostly pick different ones.
 */
export function planShards(view: ShardView, random: () => number = Math.random): ShardPlan {
  const share = fairShare(view.shards, view.liveReplicas);
  const working = [...view.working].sort((a, b) => a - b);
  // Replicas with another shard count (a rollout changing --shards): hold still, keep working
  // on what is held, until the others are gone.
  if (view.mixedCounts === true) return { release: [], want: 0, candidates: [] };
  const release = working.length > share ? working.slice(share) : [];
  const want = Math.max(0, share - working.length);
  const candidates =
    want === 0
      ? []
      : shuffle(
          [...view.free].filter((s) => !view.working.has(s) && !view.releasing.has(s)),
          random,
        );
  return { release, want, candidates };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * The Lease name of a member: `<name>-member-<identity>`, the identity lower-cased with anything
 * but letters, digits and `-` replaced; when that changed it, a hash of the identity keeps two
 * identities apart.
 */
export function memberLeaseName(name: string, identity: string): string {
  const cleaned = identity
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const prefix = `${name}-member-`;
  const room = 253 - prefix.length - 9;
  const exact = cleaned === identity && cleaned.length <= room + 9;
  const base = cleaned.slice(0, room).replace(/-+$/g, '');
  return exact
    ? `${prefix}${cleaned}`
    : `${prefix}${base === '' ? '' : `${base}-`}${fnv1a32(identity).toString(16)}`;
}

/** The Lease name of shard `i`: `<name>-shard-<i>`. */
export function shardLeaseName(name: string, shard: number): string {
  return `${name}-shard-${shard}`;
}
