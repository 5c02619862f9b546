import { Resources } from '@lynq/api';
import { hostname } from 'node:os';
import { pause, realClock, type Clock } from './clock.js';
import {
  InvalidOptionError,
  KubeApiError,
  LeadershipLostError,
  RuntimeError,
  errorMessage,
} from './errors.js';
import { jsonLogger, type Logger } from './logger.js';
import { formatMicroTime } from './micro-time.js';
import { resourcePath } from './resource.js';
import type { RestClient } from './rest-client.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export interface LeaderElectorOptions {
  client: RestClient;
  /** The Lease object (coordination.k8s.io/v1) used as the lock. */
  namespace: string;
  name: string;
  /** Unique per process (default: hostname + pid + random). */
  identity?: string;
  /** How long a lease is valid without renewal; non-leaders wait this long (default 15 s). */
  leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long (default 10 s). */
  renewDeadlineMs?: number;
  /** Pause between attempts (default 2 s). */
  retryPeriodMs?: number;
  /** Candidates retry after retryPeriod·(1 + jitter·random) (default 0.5; client-go: 1.2). */
  retryJitter?: number;
  /** On stop, hand the lease back so another candidate can take over at once (default true). */
  releaseOnCancel?: boolean;
  onStartedLeading?: () => void;
  /** Called once leadership ends, by loss or by stop. After a loss, stop reconciling. */
  onStoppedLeading?: (reason: LeadershipLostError | undefined) => void;
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
}

/**
 * Leader election on a Lease, following client-go's leaderelection: optimistic concurrency on the
 * Lease's resourceVersion; another holder's lease counts as expired only after leaseDuration has
 * passed on *our* clock since we last saw the record change (clocks of nodes are not compared).
 */
export class LeaderElector {
  readonly identity: string;
  private readonly client: RestClient;
  private readonly namespace: string;
  private readonly name: string;
  private readonly path: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly releaseOnCancel: boolean;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly retryJitter: number;
  private readonly options: LeaderElectorOptions;
  private observed: LeaseSpec | undefined;
  private observedAt = 0;
  /** When the lease held by another candidate expires, on our clock. */
  private heldUntil = 0;
  private reportedLeader: string | undefined;
  private leading = false;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.client = options.client;
    this.namespace = options.namespace;
    this.name = options.name;
    this.path = resourcePath(Resources.Lease, options.namespace, options.name);
    this.identity =
      options.identity ?? `${hostname()}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.releaseOnCancel = options.releaseOnCancel ?? true;
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? jsonLogger();
    this.random = options.random ?? Math.random;
    this.retryJitter = options.retryJitter ?? 0.5;
    // client-go's checks: the leader must give up before others may take over, with margin.
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) {
      throw new InvalidOptionError('leaseDurationMs', 'must be greater than renewDeadlineMs');
    }
    if (!(this.renewDeadlineMs > this.retryPeriodMs * 1.2)) {
      throw new InvalidOptionError('renewDeadlineMs', 'must be greater than 1.2 × retryPeriodMs');
    }
    if (!(this.retryPeriodMs > 0)) throw new InvalidOptionError('retryPeriodMs', 'must be > 0');
    if (this.identity === '') throw new InvalidOptionError('identity', 'must not be empty');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Starts competing in the background (idempotent). */
  start(): void {
    if (this.running !== undefined) return;
    this.abort = new AbortController();
    this.running = this.run(this.abort.signal);
  }

  /** Stops competing; releases the lease when leading (and releaseOnCancel). */
  async stop(): Promise<void> {
    this.abort?.abort(new RuntimeError('STOPPED', `leader elector ${this.identity} stopped`));
    await this.running;
  }

  /** Resolves when leadership ended (lost or stopped), or when stopped before acquiring it. */
  get done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async run(signal: AbortSignal): Promise<void> {
    // Acquire: retry every retryPeriod plus jitter; but when the holder's lease runs out sooner,
    // try right then. So a standby takes over at most leaseDuration + retryPeriod·(1 + jitter)
    // after the leader's last renewal (client-go may need up to one more retry period).
    while (!signal.aborted) {
      if (await this.attempt(signal, this.renewDeadlineMs)) break;
      let wait = this.retryPeriodMs * (1 + this.retryJitter * this.random());
      const untilExpiry = this.heldUntil - this.clock.now();
      if (untilExpiry > 0 && untilExpiry < wait) wait = untilExpiry + 10;
      if (!(await this.pause(wait, signal))) return;
    }
    if (signal.aborted) return;
    this.leading = true;
    this.logger.log('info', 'became leader', {
      lease: `${this.namespace}/${this.name}`,
      identity: this.identity,
    });
    this.safely(() => this.options.onStartedLeading?.());

    let lost: LeadershipLostError | undefined;
    while (!signal.aborted) {
      if (!(await this.pause(this.retryPeriodMs, signal))) break;
      const deadline = this.clock.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && this.clock.now() < deadline) {
        if (await this.attempt(signal, deadline - this.clock.now())) {
          renewed = true;
          break;
        }
        const wait = Math.min(this.retryPeriodMs, deadline - this.clock.now());
        if (wait <= 0 || !(await this.pause(wait, signal))) break;
      }
      if (!renewed && !signal.aborted) {
        lost = new LeadershipLostError(`${this.namespace}/${this.name}`, this.identity);
        break;
      }
    }
    this.leading = false;
    if (lost !== undefined) {
      this.logger.log('error', 'leadership lost', {
        lease: `${this.namespace}/${this.name}`,
        identity: this.identity,
      });
    } else if (this.releaseOnCancel) {
      await this.release();
    }
    this.safely(() => this.options.onStoppedLeading?.(lost));
  }

  /** One acquire-or-renew round; false when someone else holds the lease or the call failed. */
  private async attempt(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    try {
      return await this.tryAcquireOrRenew(
        signal,
        Math.max(1, Math.min(timeoutMs, this.renewDeadlineMs)),
      );
    } catch (err) {
      if (!signal.aborted) {
        this.logger.log('warn', 'lease update failed', {
          lease: `${this.namespace}/${this.name}`,
          error: errorMessage(err),
        });
      }
      return false;
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    const now = this.clock.now();
    const durationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    let current: Lease;
    try {
      current = await this.client.request<Lease>({ path: this.path, signal, timeoutMs });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      const spec: LeaseSpec = {
        holderIdentity: this.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: formatMicroTime(now),
        renewTime: formatMicroTime(now),
        leaseTransitions: 0,
      };
      try {
        await this.client.request<Lease>({
          method: 'POST',
          path: resourcePath(Resources.Lease, this.namespace),
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.name, namespace: this.namespace },
            spec,
          },
          signal,
          timeoutMs,
        });
      } catch (createErr) {
        if (createErr instanceof KubeApiError && createErr.status === 409) return false; // someone was faster
        throw createErr;
      }
      this.observe(spec, now);
      return true;
    }

    const spec = current.spec ?? {};
    if (!sameRecord(spec, this.observed)) this.observe(spec, now);
    const holder = spec.holderIdentity ?? '';
    const heldMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder !== '' && holder !== this.identity && this.observedAt + heldMs > now) {
      this.heldUntil = this.observedAt + heldMs;
      return false;
    }

    const mine = holder === this.identity;
    const next: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: mine && spec.acquireTime !== undefined ? spec.acquireTime : formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      await this.client.request<Lease>({
        method: 'PUT',
        path: this.path,
        body: { ...current, spec: next },
        signal,
        timeoutMs,
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) return false; // lost the race
      throw err;
    }
    this.observe(next, now);
    return true;
  }

  /** Gives the lease back (holder cleared, duration 1 s), like client-go's ReleaseOnCancel. */
  private async release(): Promise<void> {
    try {
      const current = await this.client.request<Lease>({
        path: this.path,
        timeoutMs: this.renewDeadlineMs,
      });
      if (current.spec?.holderIdentity !== this.identity) return;
      const now = this.clock.now();
      await this.client.request<Lease>({
        method: 'PUT',
        path: this.path,
        body: {
          ...current,
          spec: {
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: formatMicroTime(now),
            renewTime: formatMicroTime(now),
            leaseTransitions: current.spec.leaseTransitions ?? 0,
          },
        },
        timeoutMs: this.renewDeadlineMs,
      });
      this.logger.log('info', 'released lease', {
        lease: `${this.namespace}/${this.name}`,
        identity: this.identity,
      });
    } catch (err) {
      // Not fatal: the lease then simply expires after leaseDuration.
      this.logger.log('warn', 'lease release failed', {
        lease: `${this.namespace}/${this.name}`,
        error: errorMessage(err),
      });
    }
  }

  private observe(spec: LeaseSpec, now: number): void {
    this.observed = { ...spec };
    this.observedAt = now;
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.safely(() => this.options.onNewLeader?.(holder));
    }
  }

  private pause(ms: number, signal: AbortSignal): Promise<boolean> {
    return pause(this.clock, ms, signal);
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.log('error', 'leader election callback failed', { error: errorMessage(err) });
    }
  }
}

function sameRecord(a: LeaseSpec, b: LeaseSpec | undefined): boolean {
  return (
    b !== undefined &&
    (a.holderIdentity ?? '') === (b.holderIdentity ?? '') &&
    a.renewTime === b.renewTime &&
    a.acquireTime === b.acquireTime &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    (a.leaseTransitions ?? 0) === (b.leaseTransitions ?? 0)
  );
}
