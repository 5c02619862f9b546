// The LynqHub controller (reference §3.1): rows × forms → LynqNodes, through @lynq/plan.
import {
  EventReasons,
  Finalizers,
  Kinds,
  Labels,
  parseHub,
  parseSyncInterval,
  type LynqForm,
  type LynqHub,
  type LynqNode,
} from '@lynq/api';
import { isDatasourceError, type FetchResult, type HubDatasources } from '@lynq/datasource';
import {
  desiredNodes,
  equalStatus,
  hubLabelValue,
  nodeDeletedEvent,
  nodeDeletionFailedEvent,
  planHub,
  type HubFetch,
  type HubRenderOutcome,
  workloadsReady,
} from '@lynq/plan';
import { mapWithConcurrency } from '@lynq/apply';
import {
  createObject,
  deleteObject,
  hasFinalizer,
  isAlreadyExists,
  KubeApiError,
  isNotFound,
  type KubeObject,
  patchStatus,
  type ReconcileContext,
  replaceObject,
  type Request,
  type Result,
  setFinalizer,
} from '@lynq/runtime';
import { HubType, NodeType, type OperatorContext } from './context.js';
import { parsedForm } from './parsed.js';
import { RecentCreates } from './recent-creates.js';

const DEFAULT_SYNC_MS = 30_000;
/** LynqNode creates, updates and deletes of one sync in flight at once. */
const NODE_WRITE_CONCURRENCY = 16;
/**
 * Events about a state that lasts across syncs: recorded when it starts or its message changes,
 * not on every sync (an idle operator writes nothing).
 */
const STANDING_EVENTS: ReadonlySet<string> = new Set([
  EventReasons.DatabaseQueryFailed,
  EventReasons.TemplateRenderFailed,
  EventReasons.RolloutThrottled,
  EventReasons.DeletionGuardHeld,
]);

/**
 * A new node carries its finalizer from the start: the node controller would add it with a
 * write of its own as its first act.
 */
function withNodeFinalizer(node: LynqNode): KubeObject {
  const obj = node as unknown as KubeObject;
  const finalizers = obj.metadata.finalizers ?? [];
  if (finalizers.includes(Finalizers.Node)) return obj;
  return { ...obj, metadata: { ...obj.metadata, finalizers: [...finalizers, Finalizers.Node] } };
}

/** Forms of a namespace that parse; broken ones are the form controller's to report. */
type WriteOutcome = 'ok' | 'retry' | 'failed';

/** A refusal that may pass by itself: a stale resourceVersion, throttling, a server error. */
function transient(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return true; // transport: the server did not answer
  return err.status === 404 || err.status === 409 || err.status === 429 || err.status >= 500;
}

export function formsOf(ctx: OperatorContext, namespace: string): LynqForm[] {
  const out: LynqForm[] = [];
  for (const obj of ctx.forms.store.list({ namespace })) {
    const parsed = parsedForm(obj);
    if (parsed.ok) out.push(parsed.value);
  }
  return out;
}

/** The hub's nodes: labelled with it, or controlled by it (a node whose label someone removed). */
export function nodesOfHub(ctx: OperatorContext, hub: KubeObject): LynqNode[] {
  const label = hubLabelValue(hub.metadata.name ?? '');
  const uid = hub.metadata.uid;
  return ctx.nodes.store
    .list({ namespace: hub.metadata.namespace })
    .filter(
      (n) =>
        n.metadata.labels?.[Labels.Hub] === label ||
        (uid !== undefined &&
          (n.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === uid)),
    ) as unknown as LynqNode[];
}

export class HubController {
  /** Hub key → when its rows are next read from the database (ms since the epoch). */
  private readonly nextFetch = new Map<string, number>();
  private readonly recentCreates = new RecentCreates();

  constructor(
    private readonly ctx: OperatorContext,
    private readonly sources: HubDatasources,
    /** Source types of the loaded datasource plugins: valid besides mysql and postgresql. */
    private readonly pluginSourceTypes: readonly string[] = [],
  ) {
    // A node deleted before the cache showed it would otherwise count as existing until the
    // entry expired, and not be created again.
    ctx.nodes.addEventHandler({
      onDelete: (node) =>
        this.recentCreates.gone(node.metadata.namespace ?? '', node.metadata.name ?? ''),
    });
  }

  readonly reconcile = async (req: Request, rc: ReconcileContext): Promise<Result | void> => {
    const key = `${req.namespace ?? ''}/${req.name}`;
    const obj = this.ctx.hubs.store.get(req.name, req.namespace);
    if (obj === undefined) return this.forget(key, req);
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, Finalizers.Hub)) {
        // The nodes go with their ownerReference to the hub; each node's finalizer cleans up its
        // resources per policy, so the hub only lets go of its datasource.
        await this.forget(key, req);
        await setFinalizer(this.ctx.client, HubType, obj, Finalizers.Hub, false, rc.signal);
      }
      return;
    }
    const parsed = parseHub(obj, { pluginSourceTypes: this.pluginSourceTypes });
    if (!this.ctx.events.hub.parsed(obj, parsed)) return;
    let hub = parsed.value;
    if (!hasFinalizer(obj, Finalizers.Hub)) {
      const updated = await setFinalizer(
        this.ctx.client,
        HubType,
        obj,
        Finalizers.Hub,
        true,
        rc.signal,
      );
      const { resourceVersion, finalizers } = updated.metadata;
      hub = { ...hub, metadata: { ...hub.metadata, resourceVersion, finalizers } };
    }

    const syncMs = parseSyncInterval(hub.spec.source.syncInterval) ?? DEFAULT_SYNC_MS;
    const now = Date.now();
    const due = now >= (this.nextFetch.get(key) ?? 0);
    const fetch = await this.fetch(hub, due, rc.signal);
    // A failed read is tried again sooner than the sync interval (at most every 10 s).
    if (due) this.nextFetch.set(key, now + (fetch.ok ? syncMs : Math.min(syncMs, 10_000)));

    const namespace = hub.metadata.namespace ?? '';
    const forms = formsOf(this.ctx, namespace);
    const existing = this.recentCreates.withUnseen(
      key,
      nodesOfHub(this.ctx, obj),
      (name) => this.ctx.nodes.store.get(name, namespace) !== undefined,
    );
    const desired = desiredNodes(hub, forms, fetch.ok ? fetch : { rows: [], problems: [] });
    const rendered = new Map<string, HubRenderOutcome>();
    for (const form of desired.forms) {
      const entries = desired.entries.filter((e) => e.form === form.name);
      if (entries.length === 0) continue;
      const outcomes = await this.ctx.hubRenders.renderNodes(
        form.source,
        entries.map((e) => ({ variables: e.variables, namespace })),
        { signal: rc.signal },
      );
      entries.forEach((e, i) => rendered.set(e.id, outcomes[i]!));
    }
    const plan = planHub({
      hub,
      forms,
      fetch,
      rendered,
      existing,
      now: new Date(),
      workloadsReady: await workloadsReady(forms, existing, (ref) =>
        this.ctx.live.get(ref, rc.signal),
      ),
    });
    for (const e of plan.events) {
      if (STANDING_EVENTS.has(e.reason)) this.ctx.events.hub.planOnChange(e, e.reason);
      else this.ctx.events.hub.plan(e);
    }
    for (const reason of STANDING_EVENTS)
      if (!plan.events.some((e) => e.reason === reason)) this.ctx.events.hub.clear(obj, reason);

    let retry = false;
    const outcome = (o: WriteOutcome) => (retry ||= o === 'retry');
    // Nodes are independent: a sync of thousands of rows writes them side by side.
    await mapWithConcurrency(plan.create, NODE_WRITE_CONCURRENCY, async (node) =>
      outcome(
        await this.write(obj, node, 'create', rc.signal, async () =>
          this.recentCreates.created(
            key,
            await createObject(this.ctx.client, NodeType, withNodeFinalizer(node), rc.signal),
          ),
        ),
      ),
    );
    await mapWithConcurrency(plan.update, NODE_WRITE_CONCURRENCY, async (update) => {
      const done = await this.write(obj, update.node, 'update', rc.signal, () =>
        replaceObject(this.ctx.client, NodeType, update.node as KubeObject, rc.signal),
      );
      if (done === 'ok') for (const e of update.events) this.ctx.events.hub.plan(e);
      outcome(done);
    });
    await mapWithConcurrency(plan.delete, NODE_WRITE_CONCURRENCY, async (deletion) => {
      try {
        await deleteObject(this.ctx.client, NodeType, deletion, rc.signal);
        this.ctx.events.hub.plan(nodeDeletedEvent(hub, deletion));
      } catch (err) {
        if (rc.signal.aborted) throw err;
        if (isNotFound(err)) return;
        this.ctx.events.hub.plan(nodeDeletionFailedEvent(hub, deletion, String(err)));
        retry = true;
      }
    });
    if (!equalStatus(obj['status'], plan.status)) {
      await patchStatus(this.ctx.client, HubType, obj, plan.status, rc.signal).catch(
        (err: unknown) => {
          if (!isNotFound(err)) throw err; // the hub was deleted meanwhile
        },
      );
    }
    const { desired: d = 0, ready = 0, failed = 0 } = plan.status;
    this.ctx.metrics.hub(namespace, hub.metadata.name ?? '', { desired: d, ready, failed });
    this.ctx.metrics.hubSync(namespace, hub.metadata.name ?? '', {
      datasourceUp: fetch.ok,
      succeededAtMs: due && fetch.ok ? now : undefined,
      syncIntervalMs: syncMs,
      deletionsHeld: plan.held.length,
      renderErrors: plan.renderErrors.length,
    });
    this.logSync(hub, fetch, plan, rc);

    const untilFetch = Math.max(1, (this.nextFetch.get(key) ?? now) - Date.now());
    return {
      requeueAfter: retry || plan.throttled.length > 0 ? Math.min(untilFetch, 2_000) : untilFetch,
    };
  };

  /**
   * One node's create or update. A failure stays with that node: the API server refusing it (an
   * annotation too large, a name another object holds) is a standing Warning on the hub, and the
   * other nodes of the sync go on; a stale cache or a busy server is retried soon.
   */
  private async write(
    hub: KubeObject,
    node: { metadata: { name?: string | undefined } },
    verb: 'create' | 'update',
    signal: AbortSignal,
    send: () => Promise<unknown>,
  ): Promise<WriteOutcome> {
    const name = node.metadata.name ?? '';
    const topic = `node/${name}`;
    try {
      await send();
      this.ctx.events.hub.clear(hub, topic);
      return 'ok';
    } catch (err) {
      if (signal.aborted) throw err;
      let message = err instanceof Error ? err.message : String(err);
      if (isAlreadyExists(err)) {
        // Ours and terminating, or a cache one step behind: it resolves itself.
        const holder = this.ctx.nodes.store.get(name, hub.metadata.namespace);
        const ours = holder?.metadata.ownerReferences?.some((r) => r.uid === hub.metadata.uid);
        if (holder === undefined || ours === true) return 'retry';
        message = `the name is taken by a LynqNode this hub does not own`;
      } else if (transient(err)) return 'retry';
      this.ctx.events.hub.onChange(
        hub,
        topic,
        'Warning',
        EventReasons.NodeWriteFailed,
        `Failed to ${verb} LynqNode '${name}': ${message}`,
      );
      return 'failed';
    }
  }

  private async forget(key: string, req: Request): Promise<void> {
    this.nextFetch.delete(key);
    this.recentCreates.forget(key);
    this.ctx.events.hub.forget(Kinds.Hub, req.namespace, req.name);
    this.ctx.metrics.hubDeleted(req.namespace ?? '', req.name);
    await this.sources.forget(key);
  }

  /** The rows as a plan input: a failed read is data too (the plan then holds everything). */
  private async fetch(hub: LynqHub, fresh: boolean, signal: AbortSignal): Promise<HubFetch> {
    let result: FetchResult;
    try {
      result = await this.sources.rows(hub, fresh, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      if (!isDatasourceError(err)) throw err;
      return { ok: false, error: { code: err.code, message: err.message } };
    }
    return {
      ok: true,
      rows: result.rows,
      problems: result.problems.map((p) => ({ code: p.code, ...(p.uid ? { uid: p.uid } : {}) })),
    };
  }

  private logSync(
    hub: LynqHub,
    fetch: HubFetch,
    plan: ReturnType<typeof planHub>,
    rc: ReconcileContext,
  ): void {
    const changes = plan.create.length + plan.update.length + plan.delete.length;
    const standing = plan.held.length > 0 || plan.renderErrors.length > 0;
    if (changes === 0 && fetch.ok && !standing) return;
    // A standing problem is said by the hub's condition and one event; the log repeats it quietly.
    const level = !fetch.ok ? 'warn' : changes > 0 ? 'info' : 'debug';
    rc.logger.log(level, 'hub synced', {
      hub: `${hub.metadata.namespace}/${hub.metadata.name}`,
      rows: fetch.ok ? fetch.rows.length : undefined,
      error: fetch.ok ? undefined : fetch.error.message,
      created: plan.create.length,
      updated: plan.update.length,
      deleted: plan.delete.length,
      held: plan.held.length,
      throttled: plan.throttled.reduce((n, t) => n + t.count, 0),
      renderErrors: plan.renderErrors.length,
    });
  }
}
