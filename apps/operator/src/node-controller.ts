// The LynqNode controller (reference §3.3): render the node's spec copy, apply its objects level by
// level (in parallel within a level), track readiness, clean up orphans, and publish the status.
import {
  Annotations,
  ConditionTypes,
  EventReasons,
  Kinds,
  Finalizers,
  parseNode,
  type LynqNode,
} from '@lynq/api';
import {
  ApiError,
  ConflictError,
  FieldValidationError,
  InvalidObjectError,
  NotOursError,
  UnknownKindError,
  describeRef,
  mapWithConcurrency,
  type ApplyOptions,
  type ApplyResult,
  type ObjectRef,
} from '@lynq/apply';
import {
  computeNodeErrorStatus,
  computeNodeStatus,
  equalStatus,
  type PlannedObject,
  type ResourceKey,
  type ScopeOf,
} from '@lynq/plan';
import { planNode } from '@lynq/plan';
import {
  checkResourceReadiness,
  compileReadyWhen,
  decideDependencyGate,
  decideOwnership,
  type ReadyWhen,
  type ResourceOutcome,
  type ResourceResult,
} from '@lynq/policy';
import type { FormRenderResult } from '@lynq/render';
import {
  hasFinalizer,
  isNotFound,
  type KubeObject,
  objectKey,
  patchStatus,
  type ReconcileContext,
  type Request,
  type Result,
  setFinalizer,
  splitKey,
} from '@lynq/runtime';
import { NodeType, type OperatorContext } from './context.js';
import { DriftBackoff } from './drift-backoff.js';
import { HeldStatuses, type NodeStatus } from './held-status.js';
import { RecentWrites } from './live-objects.js';
import { cleanupNode, removeOrphans } from './node-cleanup.js';
import { StaleSpecWait } from './stale-spec.js';
import { parsedForm } from './parsed.js';

/** A node with a Stuck conflict looks again this often (Lynq requeues every node every 30 s). */
const CONFLICT_RECHECK_MS = 30_000;

/** Applies in flight at once within one level of one node. */
const LEVEL_CONCURRENCY = 8;

/** Held statuses written at once at shutdown or when a shard is given back. */
const HELD_WRITE_CONCURRENCY = 16;

/** What one reconcile's applies add up to. */
interface ApplyRun {
  outcomes: Map<string, ResourceOutcome>;
  /** Some object was written. */
  wrote: boolean;
  /** A write failed for a reason that may pass (API error): try again with backoff. */
  retry: boolean;
  /** A field-ownership conflict (Stuck): look again in a while, as Lynq's 30 s requeue does. */
  conflicted: boolean;
  /** The API server refused the operator's identity (RBAC): look again in a while, too. */
  denied: boolean;
  /** Soonest readiness deadline of a waiting object, in ms from now. */
  wakeInMs: number | undefined;
}

/**
 * Whether trying the same apply again later can succeed: throttling, server and network errors
 * (field-ownership conflicts are re-checked on their own schedule). An object the API server
 * refuses as invalid, or a kind it does not serve, fails the same way until the form or the row
 * changes, which wakes the node.
 */
function mayPass(err: unknown): boolean {
  if (err instanceof FieldValidationError || err instanceof InvalidObjectError) return false;
  if (err instanceof UnknownKindError) return false;
  if (err instanceof ApiError) return err.status === 409 || err.status === 429 || err.status >= 500;
  return true;
}

/**
 * 401 or 403: the operator's identity may not do this (a kind its RBAC does not grant). An
 * administrator fixes that (rbac.extraRules) without any change a watch would show, so the node
 * looks again on the conflict schedule instead of waiting for its form or row to change.
 */
export function deniedAccess(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 401 || err.status === 403);
}

/** A pass over the node's resources is under way: an earlier reconcile left some waiting. */
function inPass(node: LynqNode): boolean {
  return (node.status?.conditions ?? []).some(
    (c) => c.type === ConditionTypes.Progressing && c.status === 'True',
  );
}

export class NodeController {
  private readonly readyWhen = new Map<string, ReadyWhen | undefined>();
  /** Repairs of objects another manager keeps changing back, spaced out (drift-backoff.ts). */
  private readonly drift = new DriftBackoff();
  /** Nodes whose copy of the form is older than the form wait for the new copy (stale-spec.ts). */
  private readonly staleSpec = new StaleSpecWait();
  /**
   * Nodes as this controller last wrote them (status, finalizer), until the cache catches up: a
   * reconcile right after a write would otherwise see the old status, write the same status
   * again, and announce a pass already announced.
   */
  private readonly written = new RecentWrites();
  /** In-progress statuses not written yet (held-status.ts); they stand in for the written ones. */
  private readonly held: HeldStatuses;

  constructor(
    private readonly ctx: OperatorContext,
    options: { progressStatusDelayMs: number },
  ) {
    this.held = new HeldStatuses(options.progressStatusDelayMs);
    // Entries end as soon as the watch delivers the write (or the node's deletion).
    ctx.nodes.addEventHandler({
      onAdd: (node) => this.written.seen(node),
      onUpdate: (_, node) => this.written.seen(node),
      onDelete: (node) => this.written.seen(node, true),
    });
  }

  readonly reconcile = async (req: Request, rc: ReconcileContext): Promise<Result | void> => {
    const namespace = req.namespace ?? '';
    const obj = this.current(req.name, req.namespace);
    const key = objectKey({ metadata: { name: req.name, namespace: req.namespace } });
    if (obj === undefined) {
      this.held.forget(key);
      this.ctx.events.node.forget(Kinds.Node, req.namespace, req.name);
      this.ctx.metrics.nodeDeleted(namespace, req.name);
      return;
    }
    const parsed = parseNode(obj);
    if (!this.ctx.events.node.parsed(obj, parsed)) {
      this.held.forget(key);
      return;
    }
    let node = parsed.value;
    const uid = obj.metadata.uid ?? '';
    const written = node.status;
    const held = this.held.get(key, uid);
    // What this process holds is newer than what it wrote: orphans, events and conditions follow it.
    if (held !== undefined) node = { ...node, status: held };
    if (obj.metadata.deletionTimestamp) {
      if (!hasFinalizer(obj, Finalizers.Node)) return;
      return cleanupNode(this.ctx, node, obj, rc, await this.renderedKeys(node, rc.signal));
    }
    if (!hasFinalizer(obj, Finalizers.Node)) {
      const updated = await setFinalizer(
        this.ctx.client,
        NodeType,
        obj,
        Finalizers.Node,
        true,
        rc.signal,
      );
      this.written.wrote(updated);
      const { resourceVersion, finalizers } = updated.metadata;
      node = { ...node, metadata: { ...node.metadata, resourceVersion, finalizers } };
    }
    if (node.spec === undefined) {
      this.held.forget(key);
      return; // nothing to render (Lynq's sample node)
    }
    const staleMs = this.staleSpec.waitMs(
      `${namespace}/${req.name}`,
      node.metadata.annotations?.[Annotations.TemplateGeneration],
      this.formOf(node),
    );
    if (staleMs > 0) return { requeueAfter: staleMs };
    const started = Date.now();

    const plan = planNode(node, this.formOf(node), { targets: this.ctx.targets });
    if (!plan.ok) {
      const status = computeNodeErrorStatus({ node, error: plan.error, now: new Date() });
      this.ctx.events.node.onChange(obj, 'plan', 'Warning', plan.error.kind, plan.error.message);
      await this.writeStatus(obj, key, uid, written, status, false, rc.signal);
      this.ctx.metrics.nodeReconciled('error', (Date.now() - started) / 1000);
      return;
    }
    this.ctx.events.node.clear(obj, 'plan');
    const rendered = await this.render(obj, plan, rc.signal);
    const scopeOf = await this.scopes(node, rendered, rc.signal);
    const objects = plan.objects(rendered, scopeOf);

    const run = await this.applyLevels(node, obj, objects.levels, rc.signal);
    const kept = await removeOrphans(this.ctx, node, obj, objects.orphans, rc.signal);
    const results: ResourceResult[] = objects.objects.map((o) => ({
      id: o.id,
      outcome: run.outcomes.get(o.id) ?? 'waiting',
    }));
    const { status, degradedReason } = computeNodeStatus({
      node,
      results,
      applied: [...objects.tracked, ...kept],
      now: new Date(),
    });
    const failed = results.some((r) => r.outcome === 'failed' || r.outcome === 'conflicted');
    const passEnded = failed || !results.some((r) => r.outcome === 'waiting');
    // Orphans kept for another try requeue with backoff, which must not hold the status longer.
    const inProgress = !passEnded && kept.length === 0;
    const statusWakeMs = await this.writeStatus(
      obj,
      key,
      uid,
      written,
      status,
      inProgress,
      rc.signal,
    );
    this.ctx.metrics.nodeStatus(
      namespace,
      req.name,
      {
        ready: status.readyResources ?? 0,
        desired: status.desiredResources ?? 0,
        failed: status.failedResources ?? 0,
        conflicted: status.conflictedResources ?? 0,
      },
      status.conditions ?? [],
      degradedReason,
    );
    // Said once per pass over the node's resources, when the pass ends (nothing left waiting)
    // or fails, not after each dependency level: a node provisioned in four reconciles gets one
    // "Applying" and one "Applied", as one reconcile of Lynq's would.
    if ((run.wrote || inPass(node)) && passEnded) {
      const ready = status.readyResources ?? 0;
      const total = status.desiredResources ?? 0;
      if (failed)
        this.ctx.events.node.record(
          obj,
          'Warning',
          EventReasons.TemplateAppliedPartial,
          `Applied resources with failures: ${ready}/${total} ready, ${status.failedResources ?? 0} failed`,
        );
      else
        this.ctx.events.node.record(
          obj,
          'Normal',
          EventReasons.TemplateAppliedSuccess,
          `Applied ${total} resources (${ready} ready)`,
        );
    }
    this.ctx.metrics.nodeReconciled(
      failed ? 'partial_failure' : 'success',
      (Date.now() - started) / 1000,
    );
    if (run.retry || kept.length > 0) return { requeue: true };
    // The other manager may let go of the field, or an administrator grant the permission,
    // without any change we would see.
    if (run.conflicted || run.denied)
      return { requeueAfter: Math.min(run.wakeInMs ?? CONFLICT_RECHECK_MS, CONFLICT_RECHECK_MS) };
    const wakeInMs = Math.min(run.wakeInMs ?? Infinity, statusWakeMs ?? Infinity);
    if (wakeInMs !== Infinity) return { requeueAfter: Math.max(wakeInMs, 100) };
  };

  /**
   * applier.apply, unless another manager keeps undoing what it applies: then the repair waits
   * (DriftBackoff), the node looks again once it may, and the live object stands for the result.
   */
  private async applyPaced(
    node: LynqNode,
    obj: KubeObject,
    topic: string,
    ref: ObjectRef,
    manifest: Parameters<OperatorContext['applier']['apply']>[0],
    run: ApplyRun,
    options: ApplyOptions,
  ): Promise<ApplyResult> {
    const id = `${node.metadata.namespace ?? ''}/${node.metadata.name ?? ''}/${describeRef(ref)}`;
    // The desired content follows from the node's spec and its form: new content is never held.
    const version = `${node.metadata.generation ?? 0}/${this.formOf(node)?.metadata.generation ?? 0}`;
    const cached = options.cachedLive ?? undefined;
    const holdMs = cached !== undefined ? this.drift.holdMs(id, version) : 0;
    if (cached !== undefined && holdMs > 0) {
      run.wakeInMs = Math.min(run.wakeInMs ?? holdMs, holdMs);
      return {
        ref,
        action: 'unchanged',
        changed: false,
        writes: 0,
        readopted: false,
        hash: undefined,
        object: cached,
      };
    }
    const result = await this.ctx.applier.apply(manifest, options);
    const repaired =
      result.writes > 0 &&
      result.hash !== undefined &&
      cached?.metadata.annotations?.[Annotations.AppliedHash] === result.hash;
    this.drift.applied(id, version, repaired);
    const repairs = this.drift.repairs(id);
    if (repaired && repairs >= 2)
      this.ctx.events.node.onChange(
        obj,
        `${topic}/drift`,
        'Warning',
        EventReasons.ResourceConflict,
        `${describeRef(ref)} was changed back by another manager ${repairs} times in a row; taken back again in ${Math.ceil(this.drift.holdMs(id, version) / 1000)} s at the earliest`,
      );
    return result;
  }

  private formOf(node: LynqNode) {
    const obj = this.ctx.forms.store.get(node.spec?.templateRef ?? '', node.metadata.namespace);
    const parsed = obj === undefined ? undefined : parsedForm(obj);
    return parsed?.ok ? parsed.value : undefined;
  }

  /** Renders the node's spec copy in the render host; a failed render fails every resource. */
  private async render(
    obj: KubeObject,
    plan: Extract<ReturnType<typeof planNode>, { ok: true }>,
    signal: AbortSignal,
  ): Promise<FormRenderResult> {
    const [outcome] = await this.ctx.renders.renderNodes(
      plan.source,
      [{ variables: plan.variables, namespace: plan.namespace }],
      { signal, syntax: plan.syntax },
    );
    if (outcome?.ok) {
      this.ctx.events.node.clear(obj, 'render');
      return outcome.result;
    }
    if (signal.aborted) throw signal.reason;
    const message = outcome?.error.message ?? 'no render result';
    this.ctx.events.node.onChange(
      obj,
      'render',
      'Warning',
      EventReasons.TemplateRenderError,
      `Failed to render the node's resources: ${message}`,
    );
    // No resource rendered: each becomes a NotRendered error and keeps what it applied before.
    return { resources: [], errors: [] };
  }

  /** Each rendered kind's scope from discovery, watching every kind the node uses. */
  /**
   * The scope of every kind the node renders or applied before (orphans need theirs too), from
   * discovery; each rendered kind gets a watch.
   */
  private async scopes(
    node: LynqNode,
    rendered: FormRenderResult,
    signal: AbortSignal,
  ): Promise<ScopeOf> {
    const scopes = new Map<string, 'Namespaced' | 'Cluster' | undefined>();
    const kinds = [
      ...rendered.resources.map((r) => ({ ...r, watch: true })),
      ...(node.status?.appliedResourceRefs ?? []).map((r) => ({ ...r, watch: false })),
    ];
    for (const { apiVersion, kind, watch } of kinds) {
      const key = `${apiVersion}/${kind}`;
      if (scopes.has(key)) continue;
      if (signal.aborted) throw signal.reason;
      try {
        const mapping = await this.ctx.applier.restMapper.resolve(apiVersion, kind, undefined, {
          signal,
        });
        // Scoped to one namespace, it writes no cluster-scoped object, so it watches none.
        if (watch && (mapping.namespaced || this.ctx.namespace === undefined))
          this.ctx.live.watch(mapping);
        scopes.set(key, mapping.namespaced ? 'Namespaced' : 'Cluster');
      } catch (err) {
        if ((err as { code?: string }).code !== 'UNKNOWN_KIND') throw err;
        scopes.set(key, undefined);
      }
    }
    return (apiVersion, kind) => scopes.get(`${apiVersion}/${kind}`);
  }

  private async renderedKeys(node: LynqNode, signal: AbortSignal): Promise<ResourceKey[]> {
    const plan = node.spec
      ? planNode(node, this.formOf(node), { targets: this.ctx.targets })
      : undefined;
    if (!plan?.ok) return [];
    const [outcome] = await this.ctx.renders.renderNodes(
      plan.source,
      [{ variables: plan.variables, namespace: plan.namespace }],
      { signal, syntax: plan.syntax },
    );
    if (!outcome?.ok) return [];
    return plan.objects(outcome.result, await this.scopes(node, outcome.result, signal)).tracked;
  }

  private async applyLevels(
    node: LynqNode,
    obj: KubeObject,
    levels: readonly PlannedObject[][],
    signal: AbortSignal,
  ): Promise<ApplyRun> {
    const run: ApplyRun = {
      outcomes: new Map(),
      wrote: false,
      retry: false,
      conflicted: false,
      denied: false,
      wakeInMs: undefined,
    };
    // A pass already under way (its first reconcile said so) is not announced again.
    let announced = inPass(node);
    for (const level of levels) {
      const outcomes = await mapWithConcurrency(level, LEVEL_CONCURRENCY, (o) =>
        this.applyOne(node, obj, o, run, signal, () => {
          if (announced) return;
          announced = true;
          this.ctx.events.node.record(
            obj,
            'Normal',
            EventReasons.TemplateResourcesApplying,
            'Applying resources of the LynqNode',
          );
        }),
      );
      level.forEach((o, i) => run.outcomes.set(o.id, outcomes[i]!));
    }
    return run;
  }

  private async applyOne(
    node: LynqNode,
    obj: KubeObject,
    o: PlannedObject,
    run: ApplyRun,
    signal: AbortSignal,
    announce: () => void,
  ): Promise<ResourceOutcome> {
    const topic = `resource/${o.id}`;
    const gate = decideDependencyGate({
      resourceId: o.id,
      dependIds: o.dependIds,
      skipOnDependencyFailure: o.policies.skipOnDependencyFailure,
      outcomes: run.outcomes,
    });
    if (gate.action === 'block') return 'waiting';
    if (gate.action === 'skip') {
      this.ctx.events.node.onChange(
        obj,
        topic,
        gate.event.type,
        gate.event.reason,
        gate.event.message,
      );
      return 'skipped';
    }
    if (gate.action === 'proceed-despite-failure')
      this.ctx.events.node.onChange(
        obj,
        `${topic}/dependency`,
        gate.event.type,
        gate.event.reason,
        gate.event.message,
      );

    const error = o.errors[0];
    if (error !== undefined || o.manifest === undefined || o.key === undefined) {
      // A kind not served, a name Kubernetes would refuse or a target outside the policy: the
      // render worked, the object cannot be applied.
      const reason =
        error?.code === 'UnknownKind' ||
        error?.code === 'InvalidName' ||
        error?.code === 'TargetRefused'
          ? EventReasons.ApplyFailed
          : EventReasons.TemplateRenderError;
      const detail = error ? `${error.path}: ${error.message}` : 'not rendered';
      this.ctx.events.node.onChange(
        obj,
        topic,
        'Warning',
        reason,
        `Failed to ${reason === EventReasons.ApplyFailed ? 'apply' : 'render'} resource ${o.id}: ${detail}`,
      );
      return 'failed';
    }
    const applyFailed = (detail: string): ResourceOutcome => {
      const message = `Failed to apply resource ${o.id}: ${detail}`;
      this.ctx.events.node.onChange(obj, topic, 'Warning', EventReasons.ApplyFailed, message);
      return 'failed';
    };
    const outside = this.outsideScope(o.key, o.scope);
    if (outside !== undefined) return applyFailed(outside);
    const { policies } = o;
    const kind = o.key.kind;
    const ownership = decideOwnership({
      deletionPolicy: policies.deletionPolicy,
      node: {
        name: node.metadata.name ?? '',
        namespace: node.metadata.namespace ?? '',
        uid: node.metadata.uid ?? '',
      },
      targetNamespace: o.key.namespace,
      namespaced: o.scope !== 'Cluster',
    });
    let live: KubeObject;
    try {
      const result = await this.applyPaced(node, obj, topic, o.key, o.manifest, run, {
        // The watch cache's copy saves a GET per object and reconcile; a copy one step behind is
        // caught by the watch event that follows.
        cachedLive: await this.ctx.live.cached(o.key, signal),
        strategy: policies.patchStrategy,
        conflictPolicy: policies.conflictPolicy,
        creationPolicy: policies.creationPolicy,
        ownership,
        ignoreFields: policies.ignoreFields,
        // A user's object of the same name is adopted only when the form says Force.
        adoptForeign: policies.conflictPolicy === 'Force',
        signal,
      });
      this.ctx.metrics.applyAttempt(kind, 'success', policies.conflictPolicy);
      if (result.writes > 0) {
        run.wrote = true;
        this.ctx.live.wrote(result.object as KubeObject);
      }
      if (result.changed) announce();
      if (result.action === 'skipped') return 'ready'; // Once, already created
      live = result.object as KubeObject;
    } catch (err) {
      if (signal.aborted) throw err;
      this.ctx.metrics.applyAttempt(kind, 'error', policies.conflictPolicy);
      if (err instanceof ConflictError || err instanceof NotOursError) run.conflicted = true;
      else if (deniedAccess(err)) run.denied = true;
      else run.retry ||= mayPass(err);
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof ConflictError || err instanceof NotOursError) {
        this.ctx.metrics.conflict(
          node.metadata.namespace ?? '',
          node.metadata.name ?? '',
          kind,
          policies.conflictPolicy,
        );
        this.ctx.events.node.onChange(
          obj,
          topic,
          'Warning',
          EventReasons.ResourceConflict,
          message,
        );
        return 'conflicted';
      }
      return applyFailed(message);
    }
    this.ctx.events.node.clear(obj, topic);
    if (!policies.waitForReady) return 'ready';
    const verdict = checkResourceReadiness(live, this.compiled(policies.readyWhen));
    if (verdict.ready) return 'ready';
    const startedAt = Date.parse(live.metadata.annotations?.[Annotations.ApplyStartTime] ?? '');
    const elapsed = Number.isNaN(startedAt) ? 0 : Date.now() - startedAt;
    const timeoutMs = policies.timeoutSeconds * 1000;
    if (elapsed >= timeoutMs) {
      this.ctx.events.node.onChange(
        obj,
        topic,
        'Warning',
        EventReasons.ReadinessTimeout,
        `Resource '${o.id}' not ready after ${Math.round(elapsed / 1000)}s (timeout: ${policies.timeoutSeconds}s): ${verdict.message}`,
      );
      return 'failed';
    }
    run.wakeInMs = Math.min(run.wakeInMs ?? Infinity, timeoutMs - elapsed);
    return 'waiting';
  }

  /**
   * Started with --namespace, the operator writes only into that namespace: a form cannot reach
   * other namespaces or cluster-scoped kinds through it (without --namespace it may, like Lynq;
   * its RBAC is then the limit).
   */
  private outsideScope(key: ResourceKey, scope: PlannedObject['scope']): string | undefined {
    const only = this.ctx.namespace;
    if (only === undefined) return undefined;
    if (scope === 'Cluster')
      return `${key.kind} is cluster-scoped, and this operator (--namespace ${only}) writes only into namespace ${only}`;
    if (key.namespace !== only)
      return `it targets namespace ${key.namespace ?? ''}, and this operator (--namespace ${only}) writes only into namespace ${only}`;
    return undefined;
  }

  private compiled(expressions: readonly string[]): ReadyWhen | undefined {
    if (expressions.length === 0) return undefined;
    const key = JSON.stringify(expressions);
    if (!this.readyWhen.has(key)) {
      if (this.readyWhen.size > 1000) this.readyWhen.clear();
      const compiled = compileReadyWhen(expressions);
      // The form controller reports an expression that does not compile; until it is fixed the
      // kind's built-in readiness rule applies.
      this.readyWhen.set(key, compiled.ok ? compiled.readyWhen : undefined);
    }
    return this.readyWhen.get(key);
  }

  /**
   * Writes the node's status unless it is what was written (`written`) or, for a pass still under
   * way, it is held (held-status.ts): then the ms until it must be written, to reconcile again.
   */
  private async writeStatus(
    obj: KubeObject,
    key: string,
    uid: string,
    written: NodeStatus | undefined,
    status: NodeStatus,
    inProgress: boolean,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    if (equalStatus(written, status)) {
      this.held.forget(key);
      return undefined;
    }
    const decision = this.held.offer(key, uid, status, inProgress);
    if (!decision.write) return decision.wakeInMs;
    await this.patchNodeStatus(obj, status, signal);
    return undefined;
  }

  private async patchNodeStatus(obj: KubeObject, status: NodeStatus, signal: AbortSignal) {
    try {
      this.written.wrote(await patchStatus(this.ctx.client, NodeType, obj, status, signal));
    } catch (err) {
      if (!isNotFound(err)) throw err; // deleted meanwhile: nothing to report on
    }
  }

  /**
   * The node as the cache has it, or as this controller last wrote it when that is newer; gone
   * from the cache is gone, whatever was written before.
   */
  private current(name: string, namespace: string | undefined): KubeObject | undefined {
    const cached = this.ctx.nodes.store.get(name, namespace);
    return cached && (this.written.fresher(refOf(cached), cached) ?? cached);
  }

  /** Nodes in a pass whose in-progress status is held: a provisioning under way. */
  get passesHeld(): number {
    return this.held.size;
  }

  /** The nodes of a shard this replica no longer holds are not its to write. */
  forgetHeldWhere(which: (key: string) => boolean): void {
    this.held.forgetWhere(which);
  }

  /**
   * Writes the statuses held for the nodes `which` selects (all by default) and forgets them: at
   * shutdown after the reconciles returned, or for a shard given back, before its Lease goes, so
   * that the next holder reads what this process applied. Each write applies only to the node as
   * this process last saw it (a newer status is someone else's); a node deleted, created anew or
   * showing the status already is skipped. Best effort within `signal`.
   */
  async writeHeld(signal: AbortSignal, which?: (key: string) => boolean): Promise<number> {
    let wrote = 0;
    await mapWithConcurrency(this.held.take(which), HELD_WRITE_CONCURRENCY, async (entry) => {
      if (signal.aborted) return;
      const { namespace, name } = splitKey(entry.key);
      const obj = this.current(name, namespace);
      if (obj === undefined || obj.metadata.deletionTimestamp) return;
      if ((obj.metadata.uid ?? '') !== entry.uid) return;
      const parsed = parseNode(obj);
      if (parsed.ok && equalStatus(parsed.value.status, entry.status)) return;
      try {
        this.written.wrote(
          await patchStatus(this.ctx.client, NodeType, obj, entry.status, signal, {
            ifUnchanged: true,
          }),
        );
        wrote++;
      } catch (err) {
        if (signal.aborted || isNotFound(err)) return;
        this.ctx.logger.log('warn', 'could not write a held LynqNode status', {
          node: entry.key,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    });
    return wrote;
  }
}

/** The identity RecentWrites keys a node by (informers fill in apiVersion and kind). */
function refOf(obj: KubeObject) {
  return {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? Kinds.Node,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
  };
}

export type { ObjectRef };
