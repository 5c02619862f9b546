// Sharding: the objects of one controller spread over several replicas, with Kubernetes Leases as
// the only coordinator. Each shard is a Lease held like a leader-election lease (optimistic
// concurrency on resourceVersion; another holder's lease counts as expired only after its
// duration has passed on *our* clock since we last saw it change; a holder stops working on a
// shard once it could not renew it for renewDeadline < leaseDuration, so before anyone may take
// it). Replicas announce themselves with a member Lease each and hold at most their fair share.
import { Resources } from '@lynq/api';
import { hostname } from 'node:os';
import { Counter, Gauge, register as globalRegistry, type Registry } from 'prom-client';
import { pause, realClock, type Clock, type Timer } from './clock.js';
import { InvalidOptionError, KubeApiError, RuntimeError, errorMessage } from './errors.js';
import type { LeaseSpec } from './leader-elector.js';
import { jsonLogger, type Logger } from './logger.js';
import { formatMicroTime } from './micro-time.js';
import { resourcePath } from './resource.js';
import type { RestClient } from './rest-client.js';
import {
  SHARD_COUNT_ANNOTATION,
  ShardMetricNames,
  memberLeaseName,
  planShards,
  shardLeaseName,
  shardOf,
  type ShardTransition,
  type ShardView,
} from './shards.js';

/** What a sharded piece of work does when ownership changes. */
export interface ShardListener {
  /** The shard is held now: queue its work. */
  acquired?(shard: number): void;
  /**
   * The shard is no longer worked on here: abort its in-flight work and drop what is queued
   * (synchronously), and resolve once that work has returned. Given back: its lease is released
   * only afterwards. Lost: another replica may take it once the lease expires.
   */
  released?(shard: number, reason: 'released' | 'lost'): Promise<void> | void;
}

export interface ShardElectorOptions {
  client: RestClient;
  /** Namespace of the Leases. */
  namespace: string;
  /** Leases are `<name>-shard-<i>` and `<name>-member-<identity>`. */
  name: string;
  /** How many shards (at least 1). */
  shards: number;
  /** Unique per replica (default: POD_NAME, else hostname_pid). */
  identity?: string;
  /** As leader election: a lease not renewed for this long may be taken (default 15 s). */
  leaseDurationMs?: number;
  /** A holder stops working on a shard it could not renew for this long (default 10 s). */
  renewDeadlineMs?: number;
  /** Pause between renewals, and between looks at the other replicas (default 2 s). */
  retryPeriodMs?: number;
  /** Metrics go here (default: prom-client's global registry). */
  registry?: Registry;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  spec?: LeaseSpec;
}

interface Held {
  shard: number;
  /** As last written by us (its resourceVersion is the next write's precondition). */
  lease: Lease;
  /** When the last successful write was sent, on our clock. */
  renewedAt: number;
  deadline: Timer | undefined;
  state: 'working' | 'releasing';
  /** Releasing: resolves once the listeners said the shard's work has stopped. */
  draining: Promise<void> | undefined;
  /** Releasing and drained: the lease can go back. */
  drained: boolean;
  /** A renewal or release of this lease is under way. */
  busy: boolean;
}

interface Observed {
  spec: LeaseSpec;
  at: number;
}

interface ShardMetrics {
  owned: Gauge<'shard'>;
  transitions: Counter<'shard' | 'direction'>;
}

const metricsByRegistry = new WeakMap<Registry, ShardMetrics>();

function shardMetrics(registry: Registry): ShardMetrics {
  let m = metricsByRegistry.get(registry);
  if (m === undefined) {
    m = {
      owned: new Gauge({
        name: ShardMetricNames.Owned,
        help: '1 while this replica holds the shard and works on it',
        labelNames: ['shard'],
        registers: [registry],
      }),
      transitions: new Counter({
        name: ShardMetricNames.TransitionsTotal,
        help: 'Shards acquired, released (given back) and lost (renewal deadline passed) by this replica',
        labelNames: ['shard', 'direction'],
        registers: [registry],
      }),
    };
    metricsByRegistry.set(registry, m);
  }
  return m;
}

/** Members whose lease has been expired this long (on our clock) have their lease deleted. */
const MEMBER_GC_LEASE_DURATIONS = 10;

/** The replica's identity when none is given: the pod's name, else hostname_pid. */
export function defaultReplicaIdentity(env: NodeJS.ProcessEnv = process.env): string {
  const pod = env['POD_NAME'];
  return pod !== undefined && pod !== '' ? pod : `${hostname()}_${process.pid}`;
}

/**
 * Holds a fair share of `shards` Leases for this replica and tells listeners when a shard starts
 * and stops being held. Two loops: one renews this replica's member lease and every shard lease
 * it holds each retry period (so renewals never wait behind a slow list), the other looks at all
 * leases and takes free shards or gives extras back.
 */
export class ShardElector {
  readonly identity: string;
  readonly shards: number;
  private readonly client: RestClient;
  private readonly namespace: string;
  private readonly name: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly durationSeconds: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly metrics: ShardMetrics;
  private readonly listeners: ShardListener[] = [];
  private readonly held = new Map<number, Held>();
  private readonly observed = new Map<string, Observed>();
  private readonly memberName: string;
  private member: Lease | undefined;
  private memberBusy = false;
  /** Renewals and releases under way (stop waits for them). */
  private readonly pending = new Set<Promise<void>>();
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private warnedMixed = false;
  /** When the decision loop should look again because a lease runs out, on our clock. */
  private nextExpiry = Infinity;

  constructor(options: ShardElectorOptions) {
    this.client = options.client;
    this.namespace = options.namespace;
    this.name = options.name;
    this.shards = options.shards;
    this.identity = options.identity ?? defaultReplicaIdentity();
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.durationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? jsonLogger();
    this.random = options.random ?? Math.random;
    if (!Number.isInteger(this.shards) || this.shards < 1)
      throw new InvalidOptionError('shards', `must be a positive integer, got ${options.shards}`);
    // The same rules as leader election: a holder gives up before others may take over.
    if (!(this.leaseDurationMs > this.renewDeadlineMs))
      throw new InvalidOptionError('leaseDurationMs', 'must be greater than renewDeadlineMs');
    if (!(this.renewDeadlineMs > this.retryPeriodMs * 1.2))
      throw new InvalidOptionError('renewDeadlineMs', 'must be greater than 1.2 × retryPeriodMs');
    if (!(this.retryPeriodMs > 0)) throw new InvalidOptionError('retryPeriodMs', 'must be > 0');
    if (this.identity === '') throw new InvalidOptionError('identity', 'must not be empty');
    this.memberName = memberLeaseName(this.name, this.identity);
    this.metrics = shardMetrics(options.registry ?? globalRegistry);
    for (let i = 0; i < this.shards; i++) this.metrics.owned.set({ shard: String(i) }, 0);
  }

  /** The shard of an object key (`namespace/name`). */
  shardOf(key: string): number {
    return shardOf(key, this.shards);
  }

  /** True while this replica holds `shard` and may work on it. */
  owns(shard: number): boolean {
    return this.held.get(shard)?.state === 'working';
  }

  /** True while this replica may work on the object with this key. */
  ownsKey(key: string): boolean {
    return this.owns(this.shardOf(key));
  }

  /** The shards this replica works on, ascending. */
  owned(): number[] {
    return [...this.held.values()]
      .filter((h) => h.state === 'working')
      .map((h) => h.shard)
      .sort((a, b) => a - b);
  }

  addListener(listener: ShardListener): void {
    this.listeners.push(listener);
  }

  /** Starts announcing this replica and competing for shards (idempotent). */
  start(): void {
    if (this.running !== undefined || this.stopping !== undefined) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.running = Promise.all([this.renewLoop(signal), this.decideLoop(signal)]).then(() => {});
  }

  /**
   * Stops: every held shard's work is stopped (listeners), its lease handed back so another
   * replica takes it at once, and this replica's member lease deleted.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort?.abort(new RuntimeError('STOPPED', `shard elector ${this.identity} stopping`));
      await this.running;
      await Promise.all(this.pending);
      const all = [...this.held.values()];
      await Promise.all(all.map((h) => this.drain(h)));
      await Promise.all(all.map((h) => this.giveBack(h, undefined)));
      for (const h of this.held.values()) h.deadline?.cancel();
      await this.deleteMember();
    })();
    return this.stopping;
  }

  // ---- renewals: member lease and held shards ----

  /**
   * Every retry period, starts a renewal of the member lease and of each held shard lease (or
   * gives back a drained one) unless the previous one is still under way: a slow request delays
   * only its own lease, never the renewals of the others.
   */
  private async renewLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.memberBusy) {
        this.memberBusy = true;
        this.track(this.renewMember(signal).finally(() => (this.memberBusy = false)));
      }
      for (const h of this.held.values()) {
        if (h.busy) continue;
        h.busy = true;
        const op =
          h.state === 'releasing' && h.drained ? this.giveBack(h, signal) : this.renew(h, signal);
        this.track(op.finally(() => (h.busy = false)));
      }
      if (!(await this.pause(this.retryPeriodMs, signal))) return;
    }
  }

  private track(op: Promise<void>): void {
    this.pending.add(op);
    void op.finally(() => this.pending.delete(op));
  }

  private async renew(h: Held, signal: AbortSignal): Promise<void> {
    const started = this.clock.now();
    const timeoutMs = Math.max(1, h.renewedAt + this.renewDeadlineMs - started);
    const body: Lease = {
      ...h.lease,
      spec: {
        ...h.lease.spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: this.durationSeconds,
        renewTime: formatMicroTime(started),
      },
    };
    try {
      this.renewed(h, await this.put(body, signal, timeoutMs), started);
    } catch (err) {
      if (signal.aborted) return;
      if (!(err instanceof KubeApiError && (err.status === 409 || err.status === 404))) {
        this.logger.log('warn', 'shard lease renewal failed', {
          lease: this.leasePath(h.lease.metadata.name),
          error: errorMessage(err),
        });
        return; // the deadline timer decides when this becomes a loss
      }
      // Someone wrote the lease: still ours (an edit of its metadata), or taken?
      try {
        const current = await this.get(h.lease.metadata.name, signal, timeoutMs);
        if (current?.spec?.holderIdentity !== this.identity) {
          this.lose(h, `the lease is held by ${current?.spec?.holderIdentity || 'nobody'} now`);
          return;
        }
        h.lease = current;
        this.renewed(
          h,
          await this.put({ ...body, metadata: current.metadata }, signal, timeoutMs),
          started,
        );
      } catch (again) {
        if (!signal.aborted)
          this.logger.log('warn', 'shard lease renewal failed', {
            lease: this.leasePath(h.lease.metadata.name),
            error: errorMessage(again),
          });
      }
    }
  }

  private renewed(h: Held, written: Lease, started: number): void {
    if (this.held.get(h.shard) !== h) {
      // Lost meanwhile (the deadline passed while the write was under way): the work has
      // stopped, so hand the lease back rather than make others wait for it to expire.
      void this.release(written, undefined).catch(() => {});
      return;
    }
    h.lease = written;
    h.renewedAt = started;
    this.arm(h);
  }

  /** Loss when no renewal succeeded for renewDeadline since the last successful one was sent. */
  private arm(h: Held): void {
    h.deadline?.cancel();
    h.deadline = this.clock.setTimer(h.renewedAt + this.renewDeadlineMs - this.clock.now(), () =>
      this.lose(h, `not renewed within ${this.renewDeadlineMs} ms`),
    );
  }

  private async renewMember(signal: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const spec: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.durationSeconds,
      renewTime: formatMicroTime(now),
    };
    const timeoutMs = this.renewDeadlineMs;
    try {
      if (this.member !== undefined) {
        try {
          this.member = await this.put(
            { ...this.member, spec: { ...this.member.spec, ...spec } },
            signal,
            timeoutMs,
          );
          return;
        } catch (err) {
          if (!(err instanceof KubeApiError && (err.status === 409 || err.status === 404)))
            throw err;
          this.member = undefined; // changed or deleted by someone: read it again
        }
      }
      const current = await this.get(this.memberName, signal, timeoutMs);
      if (current === undefined) {
        this.member = await this.create(
          this.newLease(this.memberName, { ...spec, acquireTime: formatMicroTime(now) }),
          signal,
          timeoutMs,
        );
      } else {
        this.member = await this.put(
          {
            ...current,
            metadata: { ...current.metadata, annotations: this.annotations(current) },
            spec: { ...current.spec, ...spec, acquireTime: formatMicroTime(now) },
          },
          signal,
          timeoutMs,
        );
      }
    } catch (err) {
      if (!signal.aborted)
        this.logger.log('warn', 'member lease renewal failed', {
          lease: this.leasePath(this.memberName),
          error: errorMessage(err),
        });
    }
  }

  // ---- decisions: look at every lease, take free shards, give extras back ----

  private async decideLoop(signal: AbortSignal): Promise<void> {
    // The first look waits one retry period: replicas starting together see each other's member
    // leases first, instead of all grabbing every shard and handing most back a moment later.
    if (!(await this.pause(this.retryPeriodMs, signal))) return;
    while (!signal.aborted) {
      try {
        await this.decide(signal);
      } catch (err) {
        if (!signal.aborted)
          this.logger.log('warn', 'reading shard leases failed', { error: errorMessage(err) });
      }
      let wait = this.retryPeriodMs;
      const untilExpiry = this.nextExpiry - this.clock.now();
      if (untilExpiry > 0 && untilExpiry < wait) wait = untilExpiry + 10;
      if (!(await this.pause(wait, signal))) return;
    }
  }

  private async decide(signal: AbortSignal): Promise<void> {
    const list = await this.client.request<{ items?: Lease[] }>({
      path: resourcePath(Resources.Lease, this.namespace),
      signal,
      timeoutMs: this.renewDeadlineMs,
    });
    const now = this.clock.now();
    const view = this.view(list.items ?? [], now);
    if (view.mixedCounts === true && !this.warnedMixed) {
      this.warnedMixed = true;
      this.logger.log('error', 'replicas with another shard count are running; taking no shard', {
        shards: this.shards,
      });
    } else if (view.mixedCounts !== true) this.warnedMixed = false;
    const plan = planShards(view, this.random);
    if (plan.release.length > 0 || plan.want > 0)
      this.logger.log('debug', 'shard plan', {
        identity: this.identity,
        liveReplicas: view.liveReplicas,
        working: [...view.working],
        free: [...view.free],
        release: plan.release,
        want: plan.want,
      });
    for (const shard of plan.release) {
      const h = this.held.get(shard);
      if (h !== undefined) void this.drain(h);
    }
    let want = plan.want;
    const candidates = [...plan.candidates];
    // Rounds of parallel attempts: a shard another replica took first is replaced by the next.
    while (want > 0 && candidates.length > 0 && !signal.aborted) {
      const batch = candidates.splice(0, want);
      const taken = await Promise.all(batch.map((s) => this.acquire(s, signal)));
      want -= taken.filter(Boolean).length;
    }
  }

  /** This replica's view of the leases, recording when each record was last seen to change. */
  private view(items: Lease[], now: number): ShardView {
    const memberPrefix = `${this.name}-member-`;
    const shardPrefix = `${this.name}-shard-`;
    const seen = new Set<string>();
    const members = new Set<string>();
    const busy = new Set<number>();
    let mixed = false;
    let nextExpiry = Infinity;
    for (const lease of items) {
      const name = lease.metadata.name;
      const isMember = name.startsWith(memberPrefix);
      const index = name.startsWith(shardPrefix) ? name.slice(shardPrefix.length) : undefined;
      if (!isMember && (index === undefined || !/^\d+$/.test(index))) continue;
      seen.add(name);
      const spec = lease.spec ?? {};
      const before = this.observed.get(name);
      if (before === undefined || !sameRecord(spec, before.spec))
        this.observed.set(name, { spec: { ...spec }, at: now });
      const at = this.observed.get(name)?.at ?? now;
      const holder = spec.holderIdentity ?? '';
      const until = at + (spec.leaseDurationSeconds ?? this.durationSeconds) * 1000;
      const live = holder !== '' && until > now;
      if (isMember) {
        if (holder === this.identity) continue;
        if (live) {
          members.add(holder);
          nextExpiry = Math.min(nextExpiry, until);
        } else if (now - at > MEMBER_GC_LEASE_DURATIONS * this.leaseDurationMs) {
          void this.deleteStaleMember(lease);
        }
      } else {
        const shard = Number(index);
        if (this.held.has(shard)) continue;
        if (live) {
          // Also a lease under our own name that this process did not take (an earlier process
          // with the same identity): it may still be working, so wait until it expires.
          busy.add(shard);
          nextExpiry = Math.min(nextExpiry, until);
        }
      }
      const count = lease.metadata.annotations?.[SHARD_COUNT_ANNOTATION];
      if (live && holder !== this.identity && count !== undefined && count !== String(this.shards))
        mixed = true;
    }
    for (const name of this.observed.keys()) if (!seen.has(name)) this.observed.delete(name);
    this.nextExpiry = nextExpiry;
    const free = new Set<number>();
    for (let i = 0; i < this.shards; i++) if (!busy.has(i) && !this.held.has(i)) free.add(i);
    const working = new Set<number>();
    const releasing = new Set<number>();
    for (const h of this.held.values()) (h.state === 'working' ? working : releasing).add(h.shard);
    return {
      shards: this.shards,
      liveReplicas: members.size + 1,
      working,
      releasing,
      free,
      mixedCounts: mixed,
    };
  }

  private async acquire(shard: number, signal: AbortSignal): Promise<boolean> {
    const name = shardLeaseName(this.name, shard);
    const started = this.clock.now();
    const time = formatMicroTime(started);
    let written: Lease;
    try {
      const current = await this.get(name, signal, this.retryPeriodMs);
      if (current === undefined) {
        written = await this.create(
          this.newLease(name, {
            holderIdentity: this.identity,
            leaseDurationSeconds: this.durationSeconds,
            acquireTime: time,
            renewTime: time,
            leaseTransitions: 0,
          }),
          signal,
          this.retryPeriodMs,
        );
      } else {
        // Free only as this replica saw it in the list: a renewal since then changed the record.
        const seen = this.observed.get(name);
        const spec = current.spec ?? {};
        if (
          (spec.holderIdentity ?? '') !== '' &&
          (seen === undefined || !sameRecord(spec, seen.spec))
        )
          return false;
        written = await this.put(
          {
            ...current,
            metadata: { ...current.metadata, annotations: this.annotations(current) },
            spec: {
              holderIdentity: this.identity,
              leaseDurationSeconds: this.durationSeconds,
              acquireTime: time,
              renewTime: time,
              leaseTransitions: (spec.leaseTransitions ?? 0) + 1,
            },
          },
          signal,
          this.retryPeriodMs,
        );
      }
    } catch (err) {
      if (!signal.aborted && !(err instanceof KubeApiError && err.status === 409))
        this.logger.log('warn', 'taking a shard lease failed', {
          lease: this.leasePath(name),
          error: errorMessage(err),
        });
      return false; // 409: another replica was faster
    }
    if (signal.aborted) {
      void this.release(written, undefined).catch(() => {});
      return false;
    }
    const h: Held = {
      shard,
      lease: written,
      renewedAt: started,
      deadline: undefined,
      state: 'working',
      draining: undefined,
      drained: false,
      busy: false,
    };
    this.held.set(shard, h);
    this.arm(h);
    this.metrics.owned.set({ shard: String(shard) }, 1);
    this.transition(shard, 'acquired');
    this.logger.log('info', 'shard acquired', {
      shard,
      shards: this.shards,
      lease: this.leasePath(name),
      identity: this.identity,
    });
    for (const l of this.listeners) this.safely(() => l.acquired?.(shard));
    return true;
  }

  // ---- giving back and losing ----

  /** Stops the shard's work (listeners), keeping the lease renewed until that is done. */
  private drain(h: Held): Promise<void> {
    if (h.draining !== undefined) return h.draining;
    h.state = 'releasing';
    this.metrics.owned.set({ shard: String(h.shard) }, 0);
    this.logger.log('info', 'shard releasing', {
      shard: h.shard,
      lease: this.leasePath(h.lease.metadata.name),
      identity: this.identity,
    });
    h.draining = this.notifyReleased(h.shard, 'released').then(() => {
      h.drained = true;
    });
    return h.draining;
  }

  private async giveBack(h: Held, signal: AbortSignal | undefined): Promise<void> {
    if (this.held.get(h.shard) !== h) return;
    try {
      await this.release(h.lease, signal);
    } catch (err) {
      if (signal?.aborted !== true)
        this.logger.log('warn', 'shard lease release failed', {
          lease: this.leasePath(h.lease.metadata.name),
          error: errorMessage(err),
        });
      return; // renewals stopped for this shard: it is lost at its deadline, or released next round
    }
    if (this.held.get(h.shard) !== h) return;
    this.held.delete(h.shard);
    h.deadline?.cancel();
    this.transition(h.shard, 'released');
    this.logger.log('info', 'shard released', {
      shard: h.shard,
      lease: this.leasePath(h.lease.metadata.name),
      identity: this.identity,
    });
  }

  /** Hands a lease back as leader election does: no holder, a 1 s duration. */
  private async release(lease: Lease, signal: AbortSignal | undefined): Promise<void> {
    const now = formatMicroTime(this.clock.now());
    await this.put(
      {
        ...lease,
        spec: {
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: lease.spec?.leaseTransitions ?? 0,
        },
      },
      signal,
      this.renewDeadlineMs,
    );
  }

  private lose(h: Held, why: string): void {
    if (this.held.get(h.shard) !== h) return;
    this.held.delete(h.shard);
    h.deadline?.cancel();
    const wasWorking = h.state === 'working';
    this.metrics.owned.set({ shard: String(h.shard) }, 0);
    this.transition(h.shard, 'lost');
    this.logger.log('error', 'shard lost', {
      shard: h.shard,
      lease: this.leasePath(h.lease.metadata.name),
      identity: this.identity,
      reason: why,
    });
    // Synchronously: in-flight work is aborted before the lease can expire for anyone else.
    if (wasWorking) void this.notifyReleased(h.shard, 'lost');
  }

  private transition(shard: number, direction: ShardTransition): void {
    this.metrics.transitions.inc({ shard: String(shard), direction });
  }

  private async notifyReleased(shard: number, reason: 'released' | 'lost'): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const l of this.listeners) {
      try {
        const r = l.released?.(shard, reason);
        if (r !== undefined) waits.push(Promise.resolve(r));
      } catch (err) {
        this.logger.log('error', 'shard listener failed', { shard, error: errorMessage(err) });
      }
    }
    const results = await Promise.allSettled(waits);
    for (const r of results)
      if (r.status === 'rejected')
        this.logger.log('error', 'shard listener failed', { shard, error: errorMessage(r.reason) });
  }

  private async deleteMember(): Promise<void> {
    if (this.member === undefined) return; // never announced (or unknown): nothing of ours to delete
    try {
      await this.client.request({
        method: 'DELETE',
        path: this.leasePath(this.memberName),
        timeoutMs: this.renewDeadlineMs,
        body: { preconditions: { resourceVersion: this.member.metadata.resourceVersion } },
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.status === 404 || err.status === 409)))
        this.logger.log('warn', 'deleting the member lease failed', {
          lease: this.leasePath(this.memberName),
          error: errorMessage(err),
        });
    }
  }

  /** A crashed replica's member lease: gone long ago, deleted so the list does not grow. */
  private async deleteStaleMember(lease: Lease): Promise<void> {
    try {
      await this.client.request({
        method: 'DELETE',
        path: this.leasePath(lease.metadata.name),
        body: { preconditions: { resourceVersion: lease.metadata.resourceVersion } },
        timeoutMs: this.renewDeadlineMs,
      });
      this.observed.delete(lease.metadata.name);
    } catch {
      // Someone else deleted or renewed it: nothing to do.
    }
  }

  // ---- requests ----

  private leasePath(name: string): string {
    return resourcePath(Resources.Lease, this.namespace, name);
  }

  private annotations(lease: Lease): Record<string, string> {
    return { ...lease.metadata.annotations, [SHARD_COUNT_ANNOTATION]: String(this.shards) };
  }

  private newLease(name: string, spec: LeaseSpec): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: this.namespace,
        annotations: { [SHARD_COUNT_ANNOTATION]: String(this.shards) },
      },
      spec,
    };
  }

  private async get(
    name: string,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<Lease | undefined> {
    try {
      return await this.client.request<Lease>({ path: this.leasePath(name), signal, timeoutMs });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  private put(lease: Lease, signal: AbortSignal | undefined, timeoutMs: number): Promise<Lease> {
    return this.client.request<Lease>({
      method: 'PUT',
      path: this.leasePath(lease.metadata.name),
      body: lease,
      signal,
      timeoutMs,
    });
  }

  private create(lease: Lease, signal: AbortSignal, timeoutMs: number): Promise<Lease> {
    return this.client.request<Lease>({
      method: 'POST',
      path: resourcePath(Resources.Lease, this.namespace),
      body: lease,
      signal,
      timeoutMs,
    });
  }

  private pause(ms: number, signal: AbortSignal): Promise<boolean> {
    return pause(this.clock, ms, signal);
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.log('error', 'shard listener failed', { error: errorMessage(err) });
    }
  }
}

function sameRecord(a: LeaseSpec, b: LeaseSpec): boolean {
  return (
    (a.holderIdentity ?? '') === (b.holderIdentity ?? '') &&
    a.renewTime === b.renewTime &&
    a.acquireTime === b.acquireTime &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    (a.leaseTransitions ?? 0) === (b.leaseTransitions ?? 0)
  );
}
