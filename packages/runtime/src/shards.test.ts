import { describe, expect, it } from 'vitest';
import {
  fairShare,
  fnv1a32,
  memberLeaseName,
  planShards,
  shardLeaseName,
  shardOf,
  type ShardView,
} from './shards.js';

/** A deterministic random source (a linear congruential generator). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    // From the FNV reference (http://www.isthe.com/chongo/tech/comp/fnv/), fnv1a32 column.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes, as a Go or Python implementation over the same key would', () => {
    const viaBytes = (text: string) => {
      let h = 0x811c9dc5;
      for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193);
      return h >>> 0;
    };
    for (const key of ['ns/é', 'ns/日本', 'ns/😀-node', 'lone-\ud800-surrogate', 'z'.repeat(300)])
      expect(fnv1a32(key), key).toBe(viaBytes(key));
  });
});

describe('shardOf', () => {
  it('is stable: the same key gives the same shard, today and in every later version', () => {
    // Pinned values: changing the hash would move every object to another shard on upgrade, and
    // replicas of two versions would then both own some objects.
    expect(shardOf('default/acme-web', 6)).toBe(fnv1a32('default/acme-web') % 6);
    expect(
      ['team-a/acme-web', 'team-a/globex-web', 'team-b/initech-api', 'cluster-scoped'].map((k) =>
        shardOf(k, 6),
      ),
    ).toEqual([2, 5, 3, 4]); // checked against an independent implementation (Python)
    expect(shardOf('team-a/acme-web', 1)).toBe(0);
    for (let i = 0; i < 100; i++) expect(shardOf(`ns/n${i}`, 7)).toBe(shardOf(`ns/n${i}`, 7));
  });

  it('spreads many keys evenly over the shards', () => {
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[shardOf(`e2e-shard/row${i}-web`, 6)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(850); // 1000 each ± 15 %
    for (const c of counts) expect(c).toBeLessThan(1150);
  });
});

describe('fairShare', () => {
  it('is the ceiling of shards per live replica', () => {
    expect(fairShare(6, 1)).toBe(6);
    expect(fairShare(6, 2)).toBe(3);
    expect(fairShare(6, 3)).toBe(2);
    expect(fairShare(6, 4)).toBe(2);
    expect(fairShare(6, 7)).toBe(1);
    expect(fairShare(6, 0)).toBe(6); // never divide by zero: this replica counts itself
  });
});

describe('planShards', () => {
  const view = (v: Partial<ShardView>): ShardView => ({
    shards: 6,
    liveReplicas: 1,
    working: new Set(),
    releasing: new Set(),
    free: new Set(),
    ...v,
  });

  it('a lone replica takes every free shard', () => {
    const plan = planShards(view({ free: new Set([0, 1, 2, 3, 4, 5]) }), seeded(1));
    expect(plan.release).toEqual([]);
    expect(plan.want).toBe(6);
    expect([...plan.candidates].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a replica above its share gives back its highest-numbered extras and takes nothing', () => {
    const plan = planShards(
      view({ liveReplicas: 2, working: new Set([5, 0, 3, 1, 2, 4]) }),
      seeded(1),
    );
    expect(plan.release).toEqual([3, 4, 5]);
    expect(plan.want).toBe(0);
    expect(plan.candidates).toEqual([]);
  });

  it('a replica at its share keeps what it has and takes nothing more, even when shards are free', () => {
    const plan = planShards(
      view({ liveReplicas: 3, working: new Set([0, 1]), free: new Set([4, 5]) }),
      seeded(1),
    );
    expect(plan).toEqual({ release: [], want: 0, candidates: [] });
  });

  it('a replica below its share tries free shards, never one it is giving back', () => {
    const plan = planShards(
      view({
        liveReplicas: 2,
        working: new Set([0]),
        releasing: new Set([1]),
        free: new Set([1, 2, 3]),
      }),
      seeded(7),
    );
    expect(plan.release).toEqual([]);
    expect(plan.want).toBe(2);
    expect([...plan.candidates].sort()).toEqual([2, 3]);
  });

  it('holds still while replicas with another shard count are alive: takes and gives nothing', () => {
    expect(planShards(view({ free: new Set([0, 1]), mixedCounts: true }), seeded(1))).toEqual({
      release: [],
      want: 0,
      candidates: [],
    });
    const crowded = view({ liveReplicas: 3, working: new Set([0, 1, 2, 3]), mixedCounts: true });
    expect(planShards(crowded, seeded(1)).release).toEqual([]);
  });

  it('replicas racing for the same free shards try them in different orders', () => {
    const free = new Set([0, 1, 2, 3, 4, 5]);
    const orders = new Set(
      [1, 2, 3, 4, 5].map((seed) => planShards(view({ free }), seeded(seed)).candidates.join()),
    );
    expect(orders.size).toBeGreaterThan(1);
  });

  it('converges to disjoint shard sets that cover every shard, as replicas come and go', () => {
    // A simulation of the decision rule alone: replicas look in turn, take free shards up to
    // their share (a shard taken by one is no longer free for the next), give extras back.
    const random = seeded(42);
    const owner = new Map<number, string>();
    const replicas = new Set(['a']);
    const step = () => {
      for (let round = 0; round < 10; round++)
        for (const r of replicas) {
          const working = new Set([...owner].filter(([, o]) => o === r).map(([s]) => s));
          const free = new Set([0, 1, 2, 3, 4, 5].filter((s) => !owner.has(s)));
          const plan = planShards(view({ liveReplicas: replicas.size, working, free }), random);
          for (const s of plan.release) owner.delete(s);
          for (const s of plan.candidates.slice(0, plan.want)) owner.set(s, r);
        }
    };
    const check = () => {
      expect(owner.size).toBe(6);
      const share = fairShare(6, replicas.size);
      for (const r of replicas)
        expect([...owner.values()].filter((o) => o === r).length).toBeLessThanOrEqual(share);
    };
    step();
    check();
    replicas.add('b');
    replicas.add('c');
    step();
    check();
    for (const r of replicas) expect([...owner.values()].filter((o) => o === r)).toHaveLength(2);
    replicas.delete('b');
    for (const [s, o] of owner) if (o === 'b') owner.delete(s); // b's leases expired
    step();
    check();
  });
});

describe('lease names', () => {
  it('names shard leases <name>-shard-<i>', () => {
    expect(shardLeaseName('f2130106.lynq.sh', 3)).toBe('f2130106.lynq.sh-shard-3');
  });

  it('uses a pod name as it is, and makes any other identity a valid, distinct name', () => {
    expect(memberLeaseName('lynq', 'lynq-operator-7d9f8-abcde')).toBe(
      'lynq-member-lynq-operator-7d9f8-abcde',
    );
    const a = memberLeaseName('lynq', 'Host_1234');
    const b = memberLeaseName('lynq', 'host-1234');
    expect(a).not.toBe(b);
    const long = memberLeaseName('lynq', 'x'.repeat(400));
    for (const name of [a, b, long, memberLeaseName('lynq', '___')]) {
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(name.length).toBeLessThanOrEqual(253);
    }
  });
});
