import { Resources } from '@lynq/api';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { kubeconfigPath, restartApiServer, useTestNamespace } from '@lynq/testkit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeaseSpec } from './leader-elector.js';
import { jsonLogger, silentLogger, type Logger } from './logger.js';
import { Manager } from './manager.js';
import { resourcePath, type KubeObject } from './resource.js';
import { RestClient } from './rest-client.js';
import { ShardElector } from './shards-elector.js';
import { SHARD_COUNT_ANNOTATION, memberLeaseName, shardLeaseName, shardOf } from './shards.js';
import { configMap, createConfigMap, eventually, patchConfigMap } from './testdata/kube.js';

const ns = useTestNamespace({ prefix: 'runtime-shards' });
const LEASE_MS = 3000;
const RENEW_MS = 2000;
const RETRY_MS = 500;
const timings = { leaseDurationMs: LEASE_MS, renewDeadlineMs: RENEW_MS, retryPeriodMs: RETRY_MS };

const electors: ShardElector[] = [];
const managers: Manager[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await Promise.all(managers.splice(0).map((m) => m.stop()));
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});

interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

async function readLease(client: RestClient, name: string): Promise<Lease | undefined> {
  try {
    return await client.request<Lease>({ path: resourcePath(Resources.Lease, ns.name, name) });
  } catch {
    return undefined;
  }
}

type Event = { identity: string; event: 'acquired' | 'released' | 'lost'; shard: number };

function elector(
  client: RestClient,
  name: string,
  identity: string,
  events: Event[] = [],
  options: { shards?: number; registry?: Registry; logger?: Logger } = {},
): ShardElector {
  const e = new ShardElector({
    client,
    namespace: ns.name,
    name,
    identity,
    shards: options.shards ?? 6,
    ...timings,
    registry: options.registry ?? new Registry(),
    logger: options.logger ?? silentLogger,
  });
  e.addListener({
    acquired: (shard) => void events.push({ identity, event: 'acquired', shard }),
    released: (shard, reason) => void events.push({ identity, event: reason, shard }),
  });
  electors.push(e);
  return e;
}

/** Every shard held by exactly one of `es`, none holding more than `most`. */
function partitioned(es: ShardElector[], shards: number, most: number): boolean {
  const all = es.flatMap((e) => e.owned());
  return (
    all.length === shards &&
    new Set(all).size === shards &&
    es.every((e) => e.owned().length <= most)
  );
}

/** Starts a shard elector in a child process; resolves once it holds `count` shards. */
function childElector(name: string, identity: string, count: number): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./testdata/shards-child.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--conditions=@lynq/source',
      '--import',
      'tsx',
      script,
      kubeconfigPath(),
      ns.name,
      name,
      identity,
      '6',
      `${LEASE_MS},${RENEW_MS},${RETRY_MS}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { owned?: number[] };
      if (msg.owned?.length === count) resolve(child);
    });
    child.once('exit', (code) =>
      reject(new Error(`shard child exited with ${String(code)} before holding ${count}`)),
    );
  });
}

describe('ShardElector against kube-apiserver', () => {
  it('three replicas started together split six shards two each, with a Lease per shard and per member', async () => {
    const client = new RestClient(ns.kubeConfig);
    const registry = new Registry();
    const events: Event[] = [];
    const es = ['a', 'b', 'c'].map((id) =>
      elector(client, 'split', id, events, id === 'a' ? { registry } : {}),
    );
    for (const e of es) e.start();
    await eventually('shards split 2/2/2', () => partitioned(es, 6, 2), 20_000);
    // Started together, each saw the others before taking anything: nobody gave a shard back.
    expect(events.filter((e) => e.event !== 'acquired')).toEqual([]);

    for (const e of es)
      for (const shard of e.owned()) {
        const lease = await readLease(client, shardLeaseName('split', shard));
        expect(lease?.spec?.holderIdentity).toBe(e.identity);
        expect(lease?.spec?.leaseDurationSeconds).toBe(3);
        expect(lease?.metadata.annotations?.[SHARD_COUNT_ANNOTATION]).toBe('6');
      }
    for (const id of ['a', 'b', 'c']) {
      const member = await readLease(client, memberLeaseName('split', id));
      expect(member?.spec?.holderIdentity).toBe(id);
    }
    const text = await registry.metrics();
    for (let shard = 0; shard < 6; shard++) {
      const mine = es[0]?.owned().includes(shard) === true;
      expect(text).toContain(`lynq_shard_owned{shard="${shard}"} ${mine ? 1 : 0}`);
    }
    for (const shard of es[0]?.owned() ?? [])
      expect(text).toContain(
        `lynq_shard_transitions_total{shard="${shard}",direction="acquired"} 1`,
      );

    // Idle: the shard set stays put over several lease durations, and only leases are written.
    const before = es.map((e) => e.owned().join());
    const writes = client.stats().writes;
    await new Promise((r) => setTimeout(r, 2 * LEASE_MS));
    expect(es.map((e) => e.owned().join())).toEqual(before);
    // Per retry period: 3 member renewals + 6 shard renewals; nothing else is written.
    const rounds = (2 * LEASE_MS) / RETRY_MS;
    expect(client.stats().writes - writes).toBeLessThanOrEqual((rounds + 2) * 9);

    // Stopping hands everything back: no member lease left, every shard free at once.
    await Promise.all(es.map((e) => e.stop()));
    for (let shard = 0; shard < 6; shard++)
      expect(
        (await readLease(client, shardLeaseName('split', shard)))?.spec?.holderIdentity ?? '',
      ).toBe('');
    for (const id of ['a', 'b', 'c'])
      expect(await readLease(client, memberLeaseName('split', id))).toBeUndefined();
  });

  it('a joining replica gets its share: the others stop the work of their extras first, then release them', async () => {
    const client = new RestClient(ns.kubeConfig);
    const events: Event[] = [];
    const a = elector(client, 'join', 'a', events);
    // While a's listener for a shard being given back runs, the lease must still be a's.
    const holderDuringRelease: (string | undefined)[] = [];
    a.addListener({
      released: async (shard) => {
        const lease = await readLease(client, shardLeaseName('join', shard));
        holderDuringRelease.push(lease?.spec?.holderIdentity);
        expect(a.owns(shard)).toBe(false); // a stopped admitting the shard's work already
      },
    });
    a.start();
    await eventually('a holds all six', () => a.owned().length === 6, 20_000);
    const b = elector(client, 'join', 'b', events);
    const joinedAt = Date.now();
    b.start();
    await eventually('shards split 3/3', () => partitioned([a, b], 6, 3), 20_000);
    const tookMs = Date.now() - joinedAt;
    expect(holderDuringRelease).toEqual(['a', 'a', 'a']);
    expect(events.filter((e) => e.identity === 'a' && e.event === 'released')).toHaveLength(3);
    expect(events.filter((e) => e.event === 'lost')).toEqual([]);
    // Released leases are free at once: no waiting for them to expire.
    expect(tookMs).toBeLessThan(LEASE_MS + 2 * RETRY_MS);
    // a gave back its highest shards.
    expect(a.owned()).toEqual([0, 1, 2]);
  });

  it('the shards of a crashed replica move to the live one once their leases expire', async () => {
    const client = new RestClient(ns.kubeConfig);
    const child = await childElector('crash', 'child', 6);
    const events: Event[] = [];
    const logs: string[] = [];
    const logger = jsonLogger({
      level: 'debug',
      write: (l) => void logs.push(`${Date.now()} ${l}`),
    });
    const b = elector(client, 'crash', 'b', events, { logger });
    b.start();
    await eventually('b got its share from the child', () => b.owned().length === 3, 20_000);
    const childShards = [0, 1, 2, 3, 4, 5].filter((s) => !b.owned().includes(s));
    child.kill('SIGKILL'); // no release: the leases have to expire
    const killedAt = Date.now();
    await eventually('b holds all six', () => b.owned().length === 6, 20_000);
    const tookMs = Date.now() - killedAt;
    if (tookMs > LEASE_MS + 3 * RETRY_MS + 1000)
      console.error(`killed at ${killedAt}\n${logs.join('')}`);
    expect(tookMs).toBeGreaterThan(LEASE_MS - RETRY_MS - 200); // it did wait for expiry
    expect(tookMs).toBeLessThan(LEASE_MS + 3 * RETRY_MS + 1000);
    for (const shard of childShards) {
      const lease = await readLease(client, shardLeaseName('crash', shard));
      expect(lease?.spec?.holderIdentity).toBe('b');
      expect(lease?.spec?.leaseTransitions).toBe(1); // created by the child, taken by b
    }
    console.info(`shards of a SIGKILLed replica taken over after ${tookMs} ms`);
  });

  it('a shard whose lease another holder took is lost at the next renewal', async () => {
    const client = new RestClient(ns.kubeConfig);
    const events: Event[] = [];
    const registry = new Registry();
    const a = elector(client, 'steal', 'a', events, { registry });
    a.start();
    await eventually('a holds all six', () => a.owned().length === 6, 20_000);
    const path = resourcePath(Resources.Lease, ns.name, shardLeaseName('steal', 4));
    await eventually('lease 4 stolen', async () => {
      const lease = await client.request<Lease>({ path });
      try {
        await client.request({
          method: 'PUT',
          path,
          body: {
            ...lease,
            spec: { ...lease.spec, holderIdentity: 'thief', leaseDurationSeconds: 60 },
          },
        });
        return true;
      } catch {
        return false; // a renewal came first
      }
    });
    await eventually('a lost shard 4', () => !a.owns(4), RETRY_MS * 4);
    expect(events.filter((e) => e.event === 'lost')).toEqual([
      { identity: 'a', event: 'lost', shard: 4 },
    ]);
    // The thief's lease is live: a does not take it back.
    await new Promise((r) => setTimeout(r, 4 * RETRY_MS));
    expect(a.owned()).toEqual([0, 1, 2, 3, 5]);
    expect(await registry.metrics()).toContain(
      'lynq_shard_transitions_total{shard="4",direction="lost"} 1',
    );
  });

  it('with the API server down, a replica stops working on its shards before their leases can expire, and takes them again after', async () => {
    const client = new RestClient(ns.kubeConfig);
    const lostAt = new Map<number, number>();
    const a = elector(client, 'outage', 'a');
    a.addListener({
      released: (shard, reason) => void (reason === 'lost' && lostAt.set(shard, Date.now())),
    });
    a.start();
    await eventually('a holds all six', () => a.owned().length === 6, 20_000);
    const renewTimes = new Map<number, number>();
    const restart = restartApiServer({ downtimeMs: LEASE_MS + 1000 });
    await eventually('all six lost', () => lostAt.size === 6, LEASE_MS + 2000);
    await restart;
    for (let shard = 0; shard < 6; shard++) {
      const lease = await eventually_(() => readLease(client, shardLeaseName('outage', shard)));
      // The last renewal that reached etcd: others count the lease from when they saw it.
      renewTimes.set(shard, Date.parse(lease.spec?.renewTime ?? ''));
      const since = (lostAt.get(shard) ?? 0) - (renewTimes.get(shard) ?? 0);
      expect(since, `shard ${shard} lost ${since} ms after its last renewal`).toBeLessThan(
        LEASE_MS,
      );
      expect(since).toBeGreaterThanOrEqual(RENEW_MS - 50);
    }
    await eventually('a holds all six again', () => a.owned().length === 6, 20_000);
  });

  it('replicas configured with different shard counts hold still: nothing taken, nothing given back', async () => {
    const client = new RestClient(ns.kubeConfig);
    const six = elector(client, 'mixed', 'six');
    six.start();
    await eventually('six holds all six', () => six.owned().length === 6, 20_000);
    const three = elector(client, 'mixed', 'three', [], { shards: 3 });
    three.start();
    await new Promise((r) => setTimeout(r, LEASE_MS + 4 * RETRY_MS));
    expect(three.owned()).toEqual([]);
    // The six-shard replica sees the newcomer too: it keeps working on its shards.
    expect(six.owned()).toHaveLength(6);
  });
});

describe('a sharded controller in a Manager', () => {
  it('two managers reconcile disjoint halves; when one stops, the other takes over its shards and their objects', async () => {
    const client = new RestClient(ns.kubeConfig);
    const seen = new Map<string, Set<string>>(); // key → managers that reconciled it
    const version = new Map<string, string>(); // key → data.v last reconciled
    const make = (identity: string) => {
      const m = new Manager({
        kubeConfig: ns.kubeConfig,
        client,
        registry: new Registry(),
        logger: silentLogger,
        namespace: ns.name,
        sharding: { namespace: ns.name, name: 'mgr', identity, shards: 4, ...timings },
      });
      const cms = m.informer<KubeObject & { data?: Record<string, string> }>(Resources.ConfigMap);
      m.controller('sharded-cm')
        .for(Resources.ConfigMap)
        .sharded()
        .withWorkers(4)
        .complete(({ namespace, name }) => {
          const key = `${namespace}/${name}`;
          const cm = cms.store.get(name, namespace);
          if (cm?.metadata.labels?.['shard-test'] !== 'true') return;
          // A reconcile of an object whose shard this manager does not hold is the bug to catch.
          expect(m.shards?.ownsKey(key)).toBe(true);
          let by = seen.get(key);
          if (by === undefined) seen.set(key, (by = new Set()));
          by.add(identity);
          version.set(key, cm.data?.['v'] ?? '');
        });
      managers.push(m);
      return m;
    };
    const names = Array.from({ length: 24 }, (_, i) => `cm-${i}`);
    for (const name of names)
      await createConfigMap(client, configMap(ns.name, name, { v: '1' }, { 'shard-test': 'true' }));
    const a = make('a');
    const b = make('b');
    await Promise.all([a.start(), b.start()]);
    const keys = names.map((n) => `${ns.name}/${n}`);
    await eventually('every object reconciled', () => keys.every((k) => seen.has(k)), 20_000);
    await eventually('shards split 2/2', () => partitioned([a.shards!, b.shards!], 4, 2), 20_000);
    for (const k of keys) {
      expect([...(seen.get(k) ?? [])], k).toHaveLength(1);
      const owner = [...(seen.get(k) ?? [])][0];
      expect((owner === 'a' ? a : b).shards?.owns(shardOf(k, 4))).toBe(true);
    }

    // b stops (SIGTERM-like): its shards are handed back and a reconciles their objects.
    const bKeys = keys.filter((k) => seen.get(k)?.has('b'));
    expect(bKeys.length).toBeGreaterThan(0);
    await b.stop();
    await eventually('a holds all four', () => a.shards?.owned().length === 4, 10_000);
    await eventually(
      "a reconciled b's objects after taking their shards",
      () => bKeys.every((k) => seen.get(k)?.has('a')),
      10_000,
    );
    const moved = bKeys[0] ?? '';
    await patchConfigMap(client, ns.name, moved.split('/')[1] ?? '', { v: '2' });
    await eventually('a follows a change in a moved shard', () => version.get(moved) === '2');
  });
});

async function eventually_<T>(get: () => Promise<T | undefined>): Promise<T> {
  let value: T | undefined;
  await eventually('readable', async () => (value = await get()) !== undefined);
  return value as T;
}
