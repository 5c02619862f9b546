import type { Clock } from './clock.js';
import { Controller, requestKey, type Reconciler, type Request } from './controller.js';
import { InvalidOptionError } from './errors.js';
import type { EventHandler, Informer } from './informer.js';
import type { Logger } from './logger.js';
import type { RuntimeMetrics } from './metrics.js';
import type { Predicate } from './predicates.js';
import type { RateLimiter } from './rate-limiter.js';
import { groupOf, type KubeObject, type ResourceType } from './resource.js';
import type { ShardElector } from './shards-elector.js';

/** Where a builder gets (shared) informers from; the Manager is one. */
export interface InformerSource {
  informer<T extends KubeObject = KubeObject>(
    type: ResourceType,
    options?: { metadataOnly?: boolean },
  ): Informer<T>;
}

export interface WatchOptions<T extends KubeObject = KubeObject> {
  predicates?: Predicate<T>[];
  /** Watch only metadata (enough for owners, labels, names). */
  metadataOnly?: boolean;
}

/** Maps an object of a watched kind to the primary requests it affects. */
export type MapFunc<T extends KubeObject = KubeObject> = (obj: T) => Request[];

interface WatchSpec {
  type: ResourceType;
  map: MapFunc;
  options: WatchOptions;
}

export interface RegisterOptions {
  /** Start only while this process leads (default true); false: on every replica. */
  leaderElection: boolean;
}

export interface BuilderContext {
  source: InformerSource;
  register(controller: Controller, options: RegisterOptions): void;
  metrics: RuntimeMetrics;
  logger: Logger;
  clock?: Clock;
  /** The shards of this process, when objects are spread over replicas. */
  shards?: ShardElector;
}

/** The request of the object itself. */
export function requestFor(obj: KubeObject): Request {
  const ns = obj.metadata.namespace;
  return ns !== undefined && ns !== ''
    ? { namespace: ns, name: obj.metadata.name ?? '' }
    : { name: obj.metadata.name ?? '' };
}

/**
 * Requests for the controlling owner of `obj` if that owner is of `ownerType`: the reference
 * with `controller: true`, same API group (any version) and kind.
 */
export function ownerRequests(obj: KubeObject, ownerType: ResourceType): Request[] {
  const group = groupOf(ownerType.apiVersion);
  for (const ref of obj.metadata.ownerReferences ?? []) {
    if (ref.controller !== true || ref.kind !== ownerType.kind || groupOf(ref.apiVersion) !== group)
      continue;
    const ns = obj.metadata.namespace;
    return [
      ownerType.namespaced && ns !== undefined && ns !== ''
        ? { namespace: ns, name: ref.name }
        : { name: ref.name },
    ];
  }
  return [];
}

/**
 * A MapFunc reading the primary's name (and optionally namespace) from labels of the watched
 * object; without a namespace label, the watched object's own namespace is used.
 */
export function requestsFromLabels(nameLabel: string, namespaceLabel?: string): MapFunc {
  return (obj) => {
    const name = obj.metadata.labels?.[nameLabel];
    if (name === undefined || name === '') return [];
    const ns =
      namespaceLabel !== undefined ? obj.metadata.labels?.[namespaceLabel] : obj.metadata.namespace;
    return [ns !== undefined && ns !== '' ? { namespace: ns, name } : { name }];
  };
}

/** Event handler that maps events through `map`, filtered by `predicates`, into `enqueue`. */
export function mappingHandler<T extends KubeObject>(
  map: MapFunc<T>,
  predicates: readonly Predicate<T>[],
  enqueue: (req: Request) => void,
): EventHandler<T> {
  const send = (reqs: Request[]) => {
    for (const r of reqs) enqueue(r);
  };
  return {
    onAdd: (obj) => {
      if (predicates.every((p) => p.create?.(obj) ?? true)) send(map(obj));
    },
    onUpdate: (oldObj, newObj) => {
      if (!predicates.every((p) => p.update?.(oldObj, newObj) ?? true)) return;
      // Both sides: a changed owner or label must also wake the request it no longer maps to.
      send(map(oldObj));
      send(map(newObj));
    },
    onDelete: (obj) => {
      if (predicates.every((p) => p.delete?.(obj) ?? true)) send(map(obj));
    },
  };
}

/**
 * Wires a controller in a few lines, like controller-runtime's builder:
 *
 *     manager.controller('widget')
 *       .for(Widgets, { predicates: [generationChanged()] })
 *       .owns(Resources.Deployment)
 *       .watches(Resources.ConfigMap, requestsFromLabels('example.com/widget'))
 *       .withWorkers(4)
 *       .complete(reconcile);
 */
export class ControllerBuilder {
  private primary: ResourceType | undefined;
  private primaryMetadataOnly: boolean | undefined;
  private readonly watchSpecs: WatchSpec[] = [];
  private workers = 1;
  private rateLimiter: RateLimiter | undefined;
  private leaderElection = true;
  private sharding = false;

  constructor(
    private readonly name: string,
    private readonly ctx: BuilderContext,
  ) {}

  /** The primary kind: each of its objects is one request. */
  for<T extends KubeObject>(type: ResourceType, options: WatchOptions<T> = {}): this {
    if (this.primary !== undefined) {
      throw new InvalidOptionError(
        'for',
        `controller ${this.name} already reconciles ${this.primary.kind}`,
      );
    }
    this.primary = type;
    this.primaryMetadataOnly = options.metadataOnly;
    this.watchSpecs.push({
      type,
      map: (obj) => [requestFor(obj)],
      options: options as WatchOptions,
    });
    return this;
  }

  /** A kind the primary creates: changes wake the controlling owner. Call after `for`. */
  owns<T extends KubeObject>(type: ResourceType, options: WatchOptions<T> = {}): this {
    const owner = this.primary;
    if (owner === undefined)
      throw new InvalidOptionError('owns', `call for() before owns() on ${this.name}`);
    this.watchSpecs.push({
      type,
      map: (obj) => ownerRequests(obj, owner),
      options: options as WatchOptions,
    });
    return this;
  }

  /** Any kind, mapped to primary requests by `map`. */
  watches<T extends KubeObject>(
    type: ResourceType,
    map: MapFunc<T>,
    options: WatchOptions<T> = {},
  ): this {
    this.watchSpecs.push({ type, map: map as MapFunc, options: options as WatchOptions });
    return this;
  }

  withWorkers(n: number): this {
    this.workers = n;
    return this;
  }

  withRateLimiter(rateLimiter: RateLimiter): this {
    this.rateLimiter = rateLimiter;
    return this;
  }

  /**
   * Runs on every replica, not only on the leader (controller-runtime's NeedLeaderElection
   * false). Only for work that replicas may do side by side, or that `sharded()` divides.
   */
  withoutLeaderElection(): this {
    this.leaderElection = false;
    return this;
  }

  /**
   * Spreads the primary objects over the manager's shards: the controller runs on every replica
   * and reconciles an object only while this replica holds the object's shard. Taking a shard
   * queues all its cached objects; losing or giving it back aborts their in-flight reconciles and
   * drops their queued requests. Without shards on the manager, an ordinary controller.
   */
  sharded(): this {
    this.sharding = true;
    return this;
  }

  /** Builds the controller, connects its watches and registers it for start. */
  complete(reconcile: Reconciler): Controller {
    if (this.primary === undefined) {
      throw new InvalidOptionError(
        'for',
        `controller ${this.name} needs a primary kind: call for()`,
      );
    }
    const primary = this.ctx.source.informer(this.primary, {
      metadataOnly: this.primaryMetadataOnly,
    });
    const shards = this.sharding ? this.ctx.shards : undefined;
    const shardOfRequest = (req: Request) => shards?.shardOf(requestKey(req));
    const controller = new Controller({
      name: this.name,
      reconcile,
      workers: this.workers,
      rateLimiter: this.rateLimiter,
      clock: this.ctx.clock,
      logger: this.ctx.logger,
      metrics: this.ctx.metrics.controller(this.name),
      queueMetrics: this.ctx.metrics.queue(this.name),
      cachedRequests: () => primary.store.list().map(requestFor),
      ...(shards !== undefined
        ? { admits: (req: Request) => shards.ownsKey(requestKey(req)) }
        : {}),
    });
    shards?.addListener({
      acquired: (shard) => void controller.enqueueCached((req) => shardOfRequest(req) === shard),
      released: (shard) => controller.abortWhere((req) => shardOfRequest(req) === shard),
    });
    for (const spec of this.watchSpecs) {
      const informer = this.ctx.source.informer(spec.type, {
        metadataOnly: spec.options.metadataOnly,
      });
      informer.addEventHandler(
        mappingHandler(spec.map, spec.options.predicates ?? [], (r) => controller.enqueue(r)),
      );
    }
    this.ctx.register(controller, {
      leaderElection: shards === undefined && this.leaderElection,
    });
    return controller;
  }
}
