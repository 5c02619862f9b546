import { Resources } from '@lynq/api';
import { hostname } from 'node:os';
import { realClock, type Clock, type Timer } from './clock.js';
import { InvalidOptionError, KubeApiError, errorMessage } from './errors.js';
import { jsonLogger, type Logger } from './logger.js';
import { formatTime } from './micro-time.js';
import { resourcePath, type KubeObject } from './resource.js';
import type { RestClient } from './rest-client.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: RestClient;
  /** `source.component` of the events, e.g. `lynq-operator`. */
  component: string;
  /** `source.host` (default: the hostname). */
  host?: string;
  /** Events one object may produce at once (default 25). */
  burstPerObject?: number;
  /** Rate at which an object's allowance refills, per second (default 1/300: one per 5 minutes). */
  refillPerSecond?: number;
  /** How many distinct events are remembered for aggregation (default 4096). */
  cacheSize?: number;
  /**
   * Events sent at once (default 4). Events are the lowest-priority writes: while thousands of
   * objects provision they queue here instead of competing with the writes that make progress
   * (client-go's broadcaster sends one at a time).
   */
  maxInFlight?: number;
  /** Events waiting to be sent beyond which new ones are dropped, with a log (default 10,000). */
  maxQueued?: number;
  /**
   * While this says so, events wait (at most `maxDeferMs` each), so that a backlog of work that
   * makes progress does not share the API server with them; e.g. "the work queue is not empty".
   */
  deferWhile?: () => boolean;
  /** Longest an event waits for `deferWhile` to end (default 30 s). */
  maxDeferMs?: number;
  clock?: Clock;
  logger?: Logger;
}

interface Recorded {
  namespace: string;
  name: string;
  count: number;
}

interface Allowance {
  tokens: number;
  at: number;
}

/** How often an event held by deferWhile looks again. */
const DEFER_POLL_MS = 250;

/** Longest message kept; longer ones are cut (events are for people, not for data). */
export const MAX_EVENT_MESSAGE = 1024;

/**
 * Records core/v1 Events about objects. A repeat of an event (same object, type, reason, message)
 * updates the existing Event (`count`+1, `lastTimestamp`) with a PATCH instead of creating
 * another; each object has a token bucket so a hot loop cannot flood the API server.
 * Only a reference to the object is sent (kind, name, namespace, uid, apiVersion, resourceVersion):
 * never its content. Messages must not contain secret values; they are cut at 1,024 characters.
 *
 * `event()` never throws and never blocks the caller; failures are logged. `flush()` waits for
 * everything sent so far.
 */
export class EventRecorder {
  private readonly client: RestClient;
  private readonly component: string;
  private readonly host: string;
  private readonly burst: number;
  private readonly refill: number;
  private readonly cacheSize: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** Aggregation key → Event written; Map order doubles as LRU order. */
  private readonly recorded = new Map<string, Recorded>();
  private readonly allowances = new Map<string, Allowance>();
  private readonly pending = new Set<Promise<void>>();
  /** Sends for one aggregation key run one after another, so counts never go backwards. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly deferWhile: (() => boolean) | undefined;
  private readonly maxDeferMs: number;
  /** Set by flush(): nothing waits for deferWhile any more. */
  private flushing = false;
  /** deferWhile threw the last time it was asked (its failure was logged). */
  private deferWhileFailing = false;
  private inFlight = 0;
  /** Sends waiting for a slot, oldest first. */
  private readonly queued: Array<() => void> = [];
  private seq = 0;

  constructor(options: EventRecorderOptions) {
    if (options.component === '') throw new InvalidOptionError('component', 'must not be empty');
    this.client = options.client;
    this.component = options.component;
    this.host = options.host ?? hostname();
    this.burst = options.burstPerObject ?? 25;
    this.refill = options.refillPerSecond ?? 1 / 300;
    this.cacheSize = options.cacheSize ?? 4096;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.maxQueued = options.maxQueued ?? 10_000;
    if (!(this.maxInFlight >= 1)) throw new InvalidOptionError('maxInFlight', 'must be at least 1');
    if (!(this.maxQueued >= 0)) throw new InvalidOptionError('maxQueued', 'must be 0 or more');
    this.deferWhile = options.deferWhile;
    this.maxDeferMs = options.maxDeferMs ?? 30_000;
    if (!(this.maxDeferMs >= 0)) throw new InvalidOptionError('maxDeferMs', 'must be 0 or more');
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? jsonLogger();
  }

  /** Records an event about `obj` (asynchronously). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const ref = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    };
    const objectId = `${ref.kind ?? ''}/${ref.namespace ?? ''}/${ref.name ?? ''}/${ref.uid ?? ''}`;
    if (!this.allow(objectId)) {
      this.logger.log('debug', 'event dropped by rate limit', { object: objectId, reason });
      return;
    }
    const text =
      message.length > MAX_EVENT_MESSAGE ? `${message.slice(0, MAX_EVENT_MESSAGE - 1)}…` : message;
    if (this.pending.size >= this.maxInFlight + this.maxQueued) {
      this.logger.log('warn', 'event dropped: too many waiting to be sent', {
        object: objectId,
        reason,
        waiting: this.pending.size,
      });
      return;
    }
    const key = `${objectId}\u0000${type}\u0000${reason}\u0000${text}`;
    const prev = this.chains.get(key) ?? Promise.resolve();
    // Stamped now: a send may wait in the queue a while.
    const at = this.clock.now();
    const next = prev
      .then(() => this.deferred(at))
      .then(() => this.inSlot(() => this.send(key, ref, type, reason, text, at)));
    this.chains.set(key, next);
    this.pending.add(next);
    void next.finally(() => {
      this.pending.delete(next);
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /**
   * Waits until every event recorded so far was sent (or failed). From then on deferWhile no
   * longer holds events back: this is the last call, at shutdown.
   */
  async flush(): Promise<void> {
    this.flushing = true;
    for (const release of [...this.deferredWaiters]) release();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Events waiting for deferWhile to end, each by the function that lets it go. */
  private readonly deferredWaiters = new Set<() => void>();
  /** The one timer that looks at deferWhile again while events wait for it. */
  private deferPoll: Timer | undefined;

  /** Resolves once `deferWhile` ends, the event recorded at `at` waited maxDeferMs, or flush(). */
  private async deferred(at: number): Promise<void> {
    if (this.deferWhile === undefined) return;
    const left = at + this.maxDeferMs - this.clock.now();
    if (this.flushing || left <= 0 || !this.busy()) return;
    await new Promise<void>((resolve) => {
      const release = () => {
        this.deferredWaiters.delete(release);
        timer.cancel();
        if (this.deferredWaiters.size === 0) {
          this.deferPoll?.cancel();
          this.deferPoll = undefined;
        }
        resolve();
      };
      const timer = this.clock.setTimer(left, release);
      this.deferredWaiters.add(release);
      this.deferPoll ??= this.clock.setTimer(DEFER_POLL_MS, () => this.lookAgain());
    });
  }

  /**
   * deferWhile, asked. event() never throws, and a send must not wait on a predicate that does. A
   * predicate that keeps failing is reported once, and again only after it has answered since.
   */
  private busy(): boolean {
    try {
      const answer = this.deferWhile?.() ?? false;
      this.deferWhileFailing = false;
      return answer;
    } catch (err) {
      if (!this.deferWhileFailing) {
        this.deferWhileFailing = true;
        this.logger.log('warn', 'deferWhile failed; events are not held back', {
          error: errorMessage(err),
        });
      }
      return false;
    }
  }

  private lookAgain(): void {
    this.deferPoll = undefined;
    if (this.flushing || !this.busy()) {
      for (const release of [...this.deferredWaiters]) release();
      return;
    }
    if (this.deferredWaiters.size > 0)
      this.deferPoll = this.clock.setTimer(DEFER_POLL_MS, () => this.lookAgain());
  }

  /** Runs `task` once fewer than maxInFlight sends are under way. */
  private async inSlot(task: () => Promise<void>): Promise<void> {
    // A finished send hands its slot straight to the oldest waiter, so the bound holds exactly.
    if (this.inFlight >= this.maxInFlight)
      await new Promise<void>((resolve) => this.queued.push(resolve));
    else this.inFlight++;
    try {
      await task();
    } finally {
      const next = this.queued.shift();
      if (next !== undefined) next();
      else this.inFlight--;
    }
  }

  private async send(
    key: string,
    ref: {
      apiVersion?: string;
      kind?: string;
      name?: string;
      namespace?: string;
      uid?: string;
      resourceVersion?: string;
    },
    type: EventType,
    reason: string,
    message: string,
    at: number,
  ): Promise<void> {
    const now = formatTime(at);
    const namespace =
      ref.namespace !== undefined && ref.namespace !== '' ? ref.namespace : 'default';
    try {
      const seen = this.recorded.get(key);
      if (seen !== undefined) {
        try {
          await this.client.request({
            method: 'PATCH',
            path: resourcePath(Resources.Event, seen.namespace, seen.name),
            contentType: 'application/merge-patch+json',
            body: { count: seen.count + 1, lastTimestamp: now },
          });
          seen.count++;
          this.touch(key, seen);
          return;
        } catch (err) {
          if (!(err instanceof KubeApiError && err.status === 404)) throw err;
          this.recorded.delete(key); // the Event expired (TTL): start a new one
        }
      }
      const name = `${ref.name ?? 'unknown'}.${this.uniqueSuffix()}`;
      await this.client.request({
        method: 'POST',
        path: resourcePath(Resources.Event, namespace),
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace },
          involvedObject: ref,
          type,
          reason,
          message,
          source: { component: this.component, host: this.host },
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
        },
      });
      this.touch(key, { namespace, name, count: 1 });
    } catch (err) {
      this.logger.log('warn', 'could not record event', {
        object: `${ref.kind ?? ''} ${ref.namespace ?? ''}/${ref.name ?? ''}`,
        reason,
        error: errorMessage(err),
      });
    }
  }

  private touch(key: string, rec: Recorded): void {
    this.recorded.delete(key);
    this.recorded.set(key, rec);
    while (this.recorded.size > this.cacheSize) {
      const oldest = this.recorded.keys().next().value;
      if (oldest === undefined) break;
      this.recorded.delete(oldest);
    }
  }

  private allow(objectId: string): boolean {
    const now = this.clock.now();
    const a = this.allowances.get(objectId) ?? { tokens: this.burst, at: now };
    a.tokens = Math.min(this.burst, a.tokens + ((now - a.at) / 1000) * this.refill);
    a.at = now;
    this.allowances.delete(objectId);
    this.allowances.set(objectId, a);
    if (this.allowances.size > this.cacheSize) {
      const oldest = this.allowances.keys().next().value;
      if (oldest !== undefined) this.allowances.delete(oldest);
    }
    if (a.tokens < 1) return false;
    a.tokens -= 1;
    return true;
  }

  // Like client-go: hex of the time in nanoseconds, here plus a counter so names never collide.
  private uniqueSuffix(): string {
    const ns = BigInt(Math.floor(this.clock.now())) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return ns.toString(16);
  }
}
