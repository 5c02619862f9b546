import { realClock, type Clock, type Timer } from './clock.js';
import { InvalidOptionError, RuntimeError, errorMessage } from './errors.js';
import { jsonLogger, type Logger } from './logger.js';
import { ReconcileResults, type ReconcileResultLabel } from './metric-names.js';
import type { ControllerMetrics } from './metrics.js';
import { noopQueueMetrics, type QueueMetrics } from './queue-metrics.js';
import type { AddOptions } from './queue.js';
import type { RateLimiter } from './rate-limiter.js';
import { RateLimitingQueue } from './rate-limiting-queue.js';
import { splitKey } from './resource.js';

/** What to reconcile: one object of the primary kind. */
export interface Request {
  /** Undefined for cluster-scoped kinds. */
  namespace?: string;
  name: string;
}

/** What the reconciler wants next. Nothing (or `{}`) means done until something changes. */
export interface Result {
  /** Reconcile this request again after so many milliseconds (backoff is reset). */
  requeueAfter?: number;
  /** Reconcile again after the rate limiter's delay, without it being an error. */
  requeue?: boolean;
}

export interface ReconcileContext {
  /**
   * Aborted when the controller stops (shutdown, lost leadership) or when this process may no
   * longer reconcile the request (`abortWhere`, e.g. its shard went to another replica).
   */
  signal: AbortSignal;
  logger: Logger;
  /** How many times this request has been retried since its last success. */
  retries: number;
}

/**
 * One step from the world as it is towards the world as it should be. Level-based: read current
 * state, never rely on which event caused the call. Throwing retries with per-request backoff.
 */
export type Reconciler = (
  request: Request,
  ctx: ReconcileContext,
) => Promise<Result | void> | Result | void;

export interface ControllerOptions {
  /** Names the controller in metrics (`controller`) and its queue (`name`). */
  name: string;
  reconcile: Reconciler;
  /** Concurrent reconciles (never two for the same request). Default 1. */
  workers?: number;
  rateLimiter?: RateLimiter;
  clock?: Clock;
  logger?: Logger;
  metrics?: ControllerMetrics;
  queueMetrics?: QueueMetrics;
  /**
   * Whether this process may reconcile a request now (default: every request). A request it
   * refuses is not queued, and one already queued or waiting for a delay is dropped when it comes
   * up. When the answer changes to no, call `abortWhere` for the requests concerned.
   */
  admits?: (req: Request) => boolean;
  /** The requests of every primary object in the cache, for `enqueueCached` (the builder's). */
  cachedRequests?: () => Request[];
}

interface InFlight {
  request: Request;
  abort: AbortController;
  done: Promise<void>;
}

const noopControllerMetrics: ControllerMetrics = {
  reconciled() {},
  workers() {},
  activeWorkers() {},
};

/** The key of a request in the work queue. */
export function requestKey(req: Request): string {
  return req.namespace !== undefined && req.namespace !== ''
    ? `${req.namespace}/${req.name}`
    : req.name;
}

/**
 * A work queue of requests and N workers calling the reconciler. Requests can be enqueued before
 * `start()` (they wait); after `stop()` nothing is reconciled any more.
 */
export class Controller {
  readonly name: string;
  readonly queue: RateLimitingQueue;
  private readonly reconcile: Reconciler;
  private readonly workerCount: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: ControllerMetrics;
  private readonly admits: ((req: Request) => boolean) | undefined;
  private readonly cachedRequests: (() => Request[]) | undefined;
  private abort = new AbortController();
  private workers: Promise<void>[] = [];
  private stopping = false;
  private readonly inFlight = new Map<string, InFlight>();

  constructor(options: ControllerOptions) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.name)) {
      throw new InvalidOptionError(
        'name',
        `"${options.name}" must be a lower-case DNS-1123 style name`,
      );
    }
    this.workerCount = options.workers ?? 1;
    if (!Number.isInteger(this.workerCount) || this.workerCount < 1) {
      throw new InvalidOptionError(
        'workers',
        `must be a positive integer, got ${String(options.workers)}`,
      );
    }
    this.name = options.name;
    this.reconcile = options.reconcile;
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? jsonLogger();
    this.metrics = options.metrics ?? noopControllerMetrics;
    this.admits = options.admits;
    this.cachedRequests = options.cachedRequests;
    this.queue = new RateLimitingQueue({
      name: options.name,
      clock: this.clock,
      rateLimiter: options.rateLimiter,
      metrics: options.queueMetrics ?? noopQueueMetrics,
    });
  }

  /**
   * Queues a request (deduplicated with one already waiting); ignored when not admitted. An
   * urgent request goes before the others (see WorkQueue).
   */
  enqueue(req: Request, options: AddOptions = {}): void {
    if (this.admits !== undefined && !this.admits(req)) return;
    this.queue.add(requestKey(req), options);
  }

  /** Queues a request after a delay; ignored when not admitted. */
  enqueueAfter(req: Request, delayMs: number): void {
    if (this.admits !== undefined && !this.admits(req)) return;
    this.queue.addAfter(requestKey(req), delayMs);
  }

  /**
   * Queues the request of every cached primary object that `match` selects (and that is
   * admitted), e.g. every object of a shard just acquired. Returns how many were queued.
   */
  enqueueCached(match: (req: Request) => boolean): number {
    if (this.cachedRequests === undefined) {
      throw new InvalidOptionError(
        'cachedRequests',
        `controller ${this.name} has no cache to enqueue from (build it with a ControllerBuilder)`,
      );
    }
    let n = 0;
    for (const req of this.cachedRequests()) {
      if (!match(req) || (this.admits !== undefined && !this.admits(req))) continue;
      this.queue.add(requestKey(req));
      n++;
    }
    return n;
  }

  /**
   * Aborts the signal of every in-flight reconcile whose request `match` selects, at once, and
   * resolves when they have all returned. Call it after `admits` stopped admitting them (so
   * that neither a retry nor a queued copy runs them again).
   */
  abortWhere(match: (req: Request) => boolean, reason?: Error): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const f of this.inFlight.values()) {
      if (!match(f.request)) continue;
      f.abort.abort(
        reason ??
          new RuntimeError(
            'STOPPED',
            `controller ${this.name}: no longer reconciling ${requestKey(f.request)}`,
          ),
      );
      waits.push(f.done);
    }
    return Promise.all(waits).then(() => {});
  }

  get started(): boolean {
    return this.workers.length > 0;
  }

  /** Requests waiting for a worker (not those being reconciled, nor those waiting for a delay). */
  get backlog(): number {
    return this.queue.len();
  }

  /** Starts the workers (idempotent). */
  start(): void {
    if (this.started || this.stopping) return;
    this.metrics.workers(this.workerCount);
    for (let i = 0; i < this.workerCount; i++) this.workers.push(this.work());
  }

  /**
   * Stops: no new reconciles start and queued requests are dropped. In-flight reconciles get
   * `graceMs` to finish (a SIGTERM drain); then, or at once with the default 0 (lost
   * leadership: stop writing now), their signal is aborted, and they are awaited.
   */
  async stop(graceMs = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const drained = this.queue.shutDownWithDrain();
    const finished = Promise.all(this.workers);
    if (graceMs > 0) {
      let timer: Timer | undefined;
      await Promise.race([
        finished,
        new Promise<void>((resolve) => (timer = this.clock.setTimer(graceMs, resolve))),
      ]);
      timer?.cancel();
    }
    this.abort.abort(new RuntimeError('STOPPED', `controller ${this.name} stopping`));
    for (const f of this.inFlight.values()) f.abort.abort(this.abort.signal.reason);
    await finished;
    await drained;
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      if (this.stopping) {
        this.queue.done(key);
        continue; // drain what is queued without reconciling it
      }
      if (this.admits !== undefined && !this.admits(splitKey(key))) {
        this.queue.forget(key);
        this.queue.done(key);
        continue; // queued before this process stopped owning it: someone else reconciles it
      }
      await this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const started = this.clock.now();
    const request = splitKey(key);
    const retries = this.queue.numRequeues(key);
    // Each reconcile has its own signal, aborted by stop() or by abortWhere() for this request
    // (stop() walks the in-flight ones: no listener per reconcile on a shared signal).
    const abort = new AbortController();
    if (this.abort.signal.aborted) abort.abort(this.abort.signal.reason);
    let finish: () => void = () => {};
    this.inFlight.set(key, {
      request,
      abort,
      done: new Promise<void>((resolve) => (finish = resolve)),
    });
    let result: ReconcileResultLabel | undefined = ReconcileResults.Success;
    this.metrics.activeWorkers(1);
    try {
      const res = await this.reconcile(request, {
        signal: abort.signal,
        logger: this.logger,
        retries,
      });
      if (this.disowned(key)) {
        result = undefined;
        this.queue.forget(key);
      } else if (res != null && typeof res.requeueAfter === 'number' && res.requeueAfter > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, res.requeueAfter);
        result = ReconcileResults.RequeueAfter;
      } else if (res != null && res.requeue === true) {
        this.queue.addRateLimited(key);
        result = ReconcileResults.Requeue;
      } else {
        this.queue.forget(key);
      }
    } catch (err) {
      if (this.disowned(key)) {
        // Aborted because another process reconciles it now: not a failure of this one.
        result = undefined;
        this.queue.forget(key);
        this.logger.log('debug', 'reconcile aborted: no longer ours', {
          controller: this.name,
          namespace: request.namespace,
          name: request.name,
        });
      } else {
        result = ReconcileResults.Error;
        this.queue.addRateLimited(key);
        this.logger.log('error', 'reconcile failed', {
          controller: this.name,
          namespace: request.namespace,
          name: request.name,
          retries,
          error: errorMessage(err),
          ...(typeof (err as { code?: unknown }).code === 'string'
            ? { code: (err as { code: string }).code }
            : {}),
        });
      }
    } finally {
      this.inFlight.delete(key);
      if (result !== undefined) this.metrics.reconciled(result, this.clock.now() - started);
      this.metrics.activeWorkers(-1);
      this.queue.done(key);
      finish();
    }
  }

  /**
   * The request stopped being admitted while it ran (its shard went to another replica): its
   * outcome is someone else's business now. A stop is not that: it drains as before.
   */
  private disowned(key: string): boolean {
    return this.admits !== undefined && !this.stopping && !this.admits(splitKey(key));
  }
}
