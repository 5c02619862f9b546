// Managed objects of any kind, CRD kinds included: a watch per kind the forms use, added at run
// time as forms name new kinds, so readiness changes and drift wake the owning node in seconds.
import { API_VERSION, Kinds as LynqKinds, Labels } from '@lynq/api';
import type { Applier, KubeObject as AppliedObject, ObjectRef, ResourceMapping } from '@lynq/apply';
import { checkResourceReadiness } from '@lynq/policy';
import {
  groupOf,
  type AddOptions,
  type Informer,
  type KubeObject,
  type Manager,
  type Request,
} from '@lynq/runtime';

const LYNQ_GROUP = groupOf(API_VERSION);

/** The LynqNodes an object belongs to: its controller ownerReference, or the tracking labels. */
export function owningNodes(obj: KubeObject): Request[] {
  for (const ref of obj.metadata.ownerReferences ?? []) {
    if (
      ref.kind === LynqKinds.Node &&
      groupOf(ref.apiVersion) === LYNQ_GROUP &&
      obj.metadata.namespace
    )
      return [{ namespace: obj.metadata.namespace, name: ref.name }];
  }
  const name = obj.metadata.labels?.[Labels.Node];
  const namespace = obj.metadata.labels?.[Labels.NodeNamespace];
  return name && namespace ? [{ namespace, name }] : [];
}

/** Whether an update is worth a reconcile: spec, metadata a user edits, or status changed. */
export function meaningful(a: KubeObject, b: KubeObject): boolean {
  if (a.metadata.generation !== b.metadata.generation) return true;
  if (a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp) return true;
  const pick = (o: KubeObject) =>
    JSON.stringify([
      o.metadata.labels,
      o.metadata.annotations,
      o.metadata.ownerReferences,
      o['status'],
      // Kinds without generation (ConfigMap, Secret, ...) change only here.
      o.metadata.generation === undefined
        ? [o['data'], o['stringData'], o['binaryData'], o['spec']]
        : null,
    ]);
  return pick(a) !== pick(b);
}

/**
 * Only the status moved, and not across ready/not ready by the kind's built-in rule: a
 * Deployment's status changes four or five times on its way to Available, and each change
 * reconciled its node right away (at 220 new nodes, most reconciles were these, and new nodes
 * waited for a worker behind them). Such changes are gathered for STATUS_SETTLE_MS; a readyWhen
 * expression on such a field is seen that much later.
 */
export function statusOnlyMoved(a: KubeObject, b: KubeObject): boolean {
  if (a.metadata.generation !== b.metadata.generation) return false;
  if (a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp) return false;
  if (a.metadata.generation === undefined) return false; // ConfigMap, Secret, ...: data is content
  const meta = (o: KubeObject) =>
    JSON.stringify([o.metadata.labels, o.metadata.annotations, o.metadata.ownerReferences]);
  if (meta(a) !== meta(b)) return false;
  return checkResourceReadiness(a).ready === checkResourceReadiness(b).ready;
}

/** How long status-only changes of a managed object are gathered before its node looks. */
export const STATUS_SETTLE_MS = 1_000;

/**
 * The object turned ready (by its kind's built-in rule): the node waiting for it can take its
 * next dependency level now. Such wake-ups go before new nodes' first reconciles, so that a
 * backlog of thousands of new nodes does not hold up nodes one step from Ready. Any other
 * change (a status field moving along, not yet ready) waits its turn: served first, those would
 * starve the new nodes instead.
 */
export function becameReady(a: KubeObject, b: KubeObject): boolean {
  return !checkResourceReadiness(a).ready && checkResourceReadiness(b).ready;
}

/** Identity of an object across API versions of its kind. */
function identity(apiVersion: string | undefined, kind: string | undefined, m: ObjectMeta): string {
  return JSON.stringify([groupOf(apiVersion ?? ''), kind, m.namespace ?? '', m.name]);
}
type ObjectMeta = { namespace?: string | undefined; name?: string | undefined };

/**
 * Whether resourceVersion `a` is `b` or later. The API server's are etcd revisions, integers that
 * only grow; they are compared as such when both are, since the watch may deliver the write (and
 * later changes) before the write's own answer arrives. Otherwise only equality is known.
 */
function atLeast(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (/^\d{1,30}$/.test(a) && /^\d{1,30}$/.test(b)) return BigInt(a) >= BigInt(b);
  return a === b;
}

/**
 * Objects this process wrote whose watch event has not arrived yet. A reconcile right after a
 * write would otherwise compare against the cache's older copy, see a change, and write again
 * (with a new apply-start-time, so not even a no-op). Entries end when the watch delivers the
 * written resourceVersion, or after a few seconds (a relist may skip it).
 */
export class RecentWrites {
  private readonly byKey = new Map<string, { object: KubeObject; at: number }>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  wrote(obj: KubeObject): void {
    this.byKey.set(identity(obj.apiVersion, obj.kind, obj.metadata), {
      object: obj,
      at: this.now(),
    });
    if (this.byKey.size > 10_000) this.expire();
  }

  /** The watch delivered `obj` (its state after an event). */
  seen(obj: KubeObject, deleted = false): void {
    const key = identity(obj.apiVersion, obj.kind, obj.metadata);
    const entry = this.byKey.get(key);
    if (entry === undefined) return;
    if (deleted || atLeast(obj.metadata.resourceVersion, entry.object.metadata.resourceVersion))
      this.byKey.delete(key);
  }

  /** The fresher of the cache's copy and this process's last write of the object. */
  fresher(
    ref: { apiVersion: string; kind: string } & ObjectMeta,
    cached: KubeObject | undefined,
  ): KubeObject | undefined {
    const key = identity(ref.apiVersion, ref.kind, ref);
    const entry = this.byKey.get(key);
    if (entry === undefined) return cached;
    const caughtUp = atLeast(
      cached?.metadata.resourceVersion,
      entry.object.metadata.resourceVersion,
    );
    if (caughtUp || this.now() - entry.at > this.ttlMs) {
      this.byKey.delete(key);
      return cached;
    }
    return entry.object;
  }

  get size(): number {
    return this.byKey.size;
  }

  private expire(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, entry] of this.byKey) if (entry.at < cutoff) this.byKey.delete(key);
  }
}

export class LiveObjects {
  private readonly watched = new Map<string, Informer<KubeObject>>();
  private readonly writes = new RecentWrites();

  constructor(
    private readonly manager: Manager,
    private readonly applier: Applier,
    /** Watches only this namespace's namespaced objects (the operator's --namespace). */
    private readonly namespace: string | undefined,
    private readonly enqueue: (req: Request, options?: AddOptions) => void,
    private readonly enqueueAfter: (req: Request, delayMs: number) => void,
  ) {}

  /** Watches a kind (once) and wakes the owning node on every meaningful change. */
  watch(mapping: ResourceMapping): void {
    const key = `${mapping.apiVersion}/${mapping.plural}`;
    if (this.watched.has(key)) return;
    const informer = this.manager.informer<KubeObject>({
      apiVersion: mapping.apiVersion,
      kind: mapping.kind,
      plural: mapping.plural,
      namespaced: mapping.namespaced,
    });
    const send = (options: AddOptions & { afterMs?: number }, ...objs: KubeObject[]) => {
      // Both the old and the new owner: stripping an ownerReference or tracking labels must wake
      // the node that lost the object.
      const seen = new Set<string>();
      for (const req of objs.flatMap(owningNodes)) {
        const key = `${req.namespace}/${req.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (options.afterMs !== undefined) this.enqueueAfter(req, options.afterMs);
        else this.enqueue(req, options);
      }
    };
    informer.addEventHandler({
      onAdd: (obj) => {
        this.writes.seen(obj);
        send({}, obj);
      },
      onUpdate: (a, b) => {
        this.writes.seen(b);
        if (!meaningful(a, b)) return;
        if (statusOnlyMoved(a, b)) send({ afterMs: STATUS_SETTLE_MS }, a, b);
        else send({ urgent: becameReady(a, b) }, a, b);
      },
      onDelete: (obj) => {
        this.writes.seen(obj, true);
        send({}, obj);
      },
    });
    this.watched.set(key, informer);
  }

  /**
   * The live object, from the watch cache when its kind is watched, synced and covers the object's
   * namespace; otherwise read from the API server. Null when it does not exist.
   */
  async get(ref: ObjectRef, signal: AbortSignal): Promise<KubeObject | null> {
    const cached = await this.lookup(ref, signal);
    if (cached.covered) return cached.object ?? null;
    return (await this.applier.get(ref, { signal })) as KubeObject | null;
  }

  /**
   * The watch cache's copy (or this process's fresher write), for an apply to use instead of a
   * GET; null when the synced cache has no such object; undefined when the kind is not watched
   * here.
   */
  async cached(ref: ObjectRef, signal: AbortSignal): Promise<AppliedObject | null | undefined> {
    const { covered, object } = await this.lookup(ref, signal);
    // Informers fill in apiVersion and kind, which list items lack.
    const fresher = this.writes.fresher(ref, object) as AppliedObject | undefined;
    // Absent from a synced cache that covers it: absent (see ApplyOptions.cachedLive).
    return fresher ?? (covered ? null : undefined);
  }

  /** An apply wrote `obj` (as the API server returned it): fresher than the cache until seen. */
  wrote(obj: KubeObject): void {
    this.writes.wrote(obj);
  }

  private async lookup(
    ref: ObjectRef,
    signal: AbortSignal,
  ): Promise<{ covered: boolean; object?: KubeObject | undefined }> {
    const mapping = await this.applier.restMapper.resolve(ref.apiVersion, ref.kind, undefined, {
      signal,
    });
    const informer = this.watched.get(`${mapping.apiVersion}/${mapping.plural}`);
    const covered =
      informer !== undefined &&
      informer.hasSynced() &&
      (!mapping.namespaced || this.namespace === undefined || ref.namespace === this.namespace);
    if (!covered) return { covered: false };
    return {
      covered: true,
      object: informer.store.get(ref.name, mapping.namespaced ? ref.namespace : undefined),
    };
  }
}
