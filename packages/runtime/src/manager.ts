import type { Registry } from 'prom-client';
import { realClock, type Clock } from './clock.js';
import type { Controller } from './controller.js';
import {
  ControllerBuilder,
  type InformerSource,
  type RegisterOptions,
} from './controller-builder.js';
import {
  InvalidOptionError,
  RuntimeError,
  type LeadershipLostError,
  errorMessage,
} from './errors.js';
import { EventRecorder, type EventRecorderOptions } from './event-recorder.js';
import { HealthServer } from './health-server.js';
import { Informer, type InformerOptions } from './informer.js';
import { LeaderElector, type LeaderElectorOptions } from './leader-elector.js';
import type { ClusterCredentials } from './kubeconfig.js';
import { jsonLogger, type Logger } from './logger.js';
import { RuntimeMetrics } from './metrics.js';
import type { KubeObject, ResourceType } from './resource.js';
import { RestClient } from './rest-client.js';
import { ShardElector, type ShardElectorOptions } from './shards-elector.js';

/** Leader election settings of a Manager (the callbacks are the Manager's own). */
export type ManagerLeaderElection = Omit<
  LeaderElectorOptions,
  'client' | 'clock' | 'logger' | 'onStartedLeading' | 'onStoppedLeading'
>;

export interface ManagerOptions {
  kubeConfig: ClusterCredentials;
  /**
   * The client for every request of this manager (informers, leader election, events). Pass the
   * one the rest of the process uses, so that there is one connection pool and one set of request
   * metrics; by default the manager makes its own from `kubeConfig`.
   */
  client?: RestClient;
  /** Metrics go here (default: prom-client's global registry). */
  registry?: Registry;
  logger?: Logger;
  clock?: Clock;
  /** Watch only this namespace (default: all). */
  namespace?: string;
  /** Controllers run only while this process holds the Lease (unless built otherwise). */
  leaderElection?: ManagerLeaderElection;
  /**
   * Spread the objects of `sharded()` controllers over replicas: this process holds a fair share
   * of shard Leases (taken once the caches are synced, handed back on stop).
   */
  sharding?: ManagerSharding;
  /** Serve /healthz, /readyz and /metrics on this port (0: any free port). Omit for none. */
  healthPort?: number;
  healthHost?: string;
  /** Options for every informer (backoff, page size, watch timeouts, resync period). */
  informerDefaults?: Pick<
    InformerOptions,
    'backoff' | 'pageSize' | 'watchTimeoutSeconds' | 'transform' | 'resyncPeriodMs'
  >;
  onStartedLeading?: () => void;
  /**
   * On stop, after the controllers finished and before the lease is released and the client
   * closed: the last writes of the leader (flushing events) still go out under its lease.
   * `leadershipLost`: the lease is already someone else's; nothing that could overwrite the new
   * leader's writes may go out.
   */
  beforeRelease?: (info: { leadershipLost: boolean }) => Promise<void>;
  /** After leadership is lost, controllers have already stopped; exit the process. */
  onStoppedLeading?: (reason: LeadershipLostError | undefined) => void;
}

/** Sharding settings of a Manager (clock, logger and metrics are the Manager's). */
export type ManagerSharding = Omit<
  ShardElectorOptions,
  'client' | 'clock' | 'logger' | 'registry'
> & {
  /**
   * The client for the lease requests (default: the manager's). A client of their own keeps
   * renewals from waiting for a connection behind a burst of reconcile requests, as
   * controller-runtime gives leader election its own client.
   */
  client?: RestClient;
};

/** Why the manager stopped. */
export type StopReason = 'stopped' | 'leadership-lost';

/**
 * Runs controllers with shared informers, optional leader election, optional sharding and health
 * endpoints (controller-runtime's Manager). Informers start right away on every replica, so a new
 * leader has a warm cache; controllers start only while leading, except those built
 * `withoutLeaderElection()` or `sharded()`, which run on every replica (sharded ones reconcile
 * only the objects of the shards this replica holds).
 */
export class Manager implements InformerSource {
  readonly client: RestClient;
  readonly metrics: RuntimeMetrics;
  readonly logger: Logger;
  readonly health: HealthServer | undefined;
  readonly elector: LeaderElector | undefined;
  readonly shards: ShardElector | undefined;
  private readonly options: ManagerOptions;
  private readonly clock: Clock;
  private readonly informers = new Map<string, Informer>();
  private readonly controllers: { controller: Controller; leaderElection: boolean }[] = [];
  private readonly abort = new AbortController();
  private started = false;
  private synced = false;
  private stopping = false;
  private lostLeadership = false;
  private finish: (reason: StopReason) => void = () => {};
  /** Resolves when the manager stopped, with why. */
  readonly done: Promise<StopReason>;

  constructor(options: ManagerOptions) {
    this.options = options;
    this.client = options.client ?? new RestClient(options.kubeConfig);
    this.metrics = RuntimeMetrics.for(options.registry);
    this.logger = options.logger ?? jsonLogger();
    this.clock = options.clock ?? realClock;
    this.done = new Promise((resolve) => (this.finish = resolve));
    if (options.healthPort !== undefined) {
      this.health = new HealthServer({
        port: options.healthPort,
        host: options.healthHost,
        registry: this.metrics.registry,
        logger: this.logger,
      });
      this.health.addHealthCheck('ping', () => true);
      this.health.addHealthCheck('leadership', () => !this.lostLeadership);
      // The informers start() waited for. One added later (a kind watched on demand) does not
      // count: one this identity may not list, or whose CRD is gone, would make the process
      // unready for good, and with it everything else it serves.
      this.health.addReadyCheck('informers-synced', () => this.synced);
    }
    this.shards =
      options.sharding !== undefined
        ? new ShardElector({
            ...options.sharding,
            client: options.sharding.client ?? this.client,
            clock: this.clock,
            logger: this.logger,
            registry: this.metrics.registry,
          })
        : undefined;
    if (options.leaderElection !== undefined) {
      const le = options.leaderElection;
      const leaderGauge = this.metrics.leaderStatus.labels(le.name);
      leaderGauge.set(0);
      this.elector = new LeaderElector({
        ...le,
        client: this.client,
        clock: this.clock,
        logger: this.logger,
        onStartedLeading: () => {
          leaderGauge.set(1);
          this.startControllers();
          this.options.onStartedLeading?.();
        },
        onStoppedLeading: (reason) => {
          leaderGauge.set(0);
          if (reason !== undefined) {
            // From now on this process must not reconcile anything: another one may be leading.
            this.lostLeadership = true;
            void this.stopControllers().finally(() => {
              this.options.onStoppedLeading?.(reason);
              this.finish('leadership-lost');
            });
          } else {
            this.options.onStoppedLeading?.(undefined);
          }
        },
      });
    }
  }

  /** The shared informer for a kind (one per kind and metadata mode). */
  informer<T extends KubeObject = KubeObject>(
    type: ResourceType,
    options: { metadataOnly?: boolean } = {},
  ): Informer<T> {
    const key = `${type.apiVersion}/${type.plural}${options.metadataOnly === true ? '#metadata' : ''}`;
    let informer = this.informers.get(key);
    if (informer === undefined) {
      informer = new Informer({
        ...this.options.informerDefaults,
        client: this.client,
        type,
        namespace: this.options.namespace,
        metadataOnly: options.metadataOnly,
        clock: this.clock,
        logger: this.logger,
      });
      this.informers.set(key, informer);
      if (this.started && !this.stopping) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts wiring a controller: `manager.controller('name').for(Kind)...complete(reconcile)`. */
  controller(name: string): ControllerBuilder {
    if (this.controllers.some((c) => c.controller.name === name)) {
      throw new InvalidOptionError('name', `a controller named ${name} already exists`);
    }
    return new ControllerBuilder(name, {
      source: this,
      register: (c, o) => this.addController(c, o),
      metrics: this.metrics,
      logger: this.logger,
      clock: this.options.clock,
      shards: this.shards,
    });
  }

  /**
   * Adds a controller built elsewhere; it starts with the others: once the caches are synced,
   * and with `leaderElection` (the default) only while this process leads.
   */
  addController(controller: Controller, options: RegisterOptions = { leaderElection: true }): void {
    this.controllers.push({ controller, leaderElection: options.leaderElection });
    if (!this.synced || this.stopping || this.lostLeadership) return;
    if (!options.leaderElection || this.elector === undefined || this.elector.isLeader())
      controller.start();
  }

  /** An event recorder writing as `component`. */
  eventRecorder(
    component: string,
    options: Pick<EventRecorderOptions, 'deferWhile' | 'maxDeferMs'> = {},
  ): EventRecorder {
    return new EventRecorder({
      ...options,
      client: this.client,
      component,
      clock: this.clock,
      logger: this.logger,
    });
  }

  /** True when every informer has completed its first list. */
  hasSynced(): boolean {
    for (const i of this.informers.values()) if (!i.hasSynced()) return false;
    return true;
  }

  /**
   * Starts the health server and informers, waits until the caches are synced, then starts the
   * controllers (or competes for leadership and starts them once leading). Resolves once running.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.health?.start();
    for (const i of this.informers.values()) i.start();
    try {
      await Promise.all([...this.informers.values()].map((i) => i.waitForSync(this.abort.signal)));
    } catch (err) {
      if (this.stopping) return; // stop() during start-up is not an error
      throw err;
    }
    if (this.stopping) return;
    this.synced = true;
    this.logger.log('info', 'caches synced', { informers: this.informers.size });
    // Controllers that need no leader start now; sharded ones reconcile once shards are held.
    for (const c of this.controllers) if (!c.leaderElection) c.controller.start();
    this.shards?.start();
    if (this.elector !== undefined) this.elector.start();
    else this.startControllers();
  }

  /**
   * Stops controllers (in-flight reconciles get `graceMs` to finish before their signals are
   * aborted), releases the lease, stops informers and the server.
   */
  async stop(graceMs = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort(new RuntimeError('STOPPED', 'manager stopping'));
    await this.stopControllers(graceMs);
    await this.options
      .beforeRelease?.({ leadershipLost: this.lostLeadership })
      .catch((err: unknown) => {
        this.logger.log('error', 'final writes before releasing the lease failed', {
          error: errorMessage(err),
        });
      });
    await this.shards?.stop();
    await this.elector?.stop();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await this.health?.stop();
    this.client.close();
    this.finish(this.lostLeadership ? 'leadership-lost' : 'stopped');
  }

  /** Starts every controller (idempotent for those already running). */
  private startControllers(): void {
    if (this.stopping || this.lostLeadership) return;
    for (const c of this.controllers) c.controller.start();
  }

  private async stopControllers(graceMs = 0): Promise<void> {
    await Promise.all(
      this.controllers.map(({ controller: c }) =>
        c.stop(graceMs).catch((err: unknown) => {
          this.logger.log('error', 'controller stop failed', {
            controller: c.name,
            error: errorMessage(err),
          });
        }),
      ),
    );
  }
}
